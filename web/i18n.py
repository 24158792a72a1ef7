"""Which language a request is answered in: ``?lang=``, then the ``lang`` cookie, then the
browser's Accept-Language, then the deployment default (Japanese)."""

from __future__ import annotations

import importlib.resources
import pkgutil

from litestar import Request

from core.i18n import LANGUAGES, Translator, load_catalogs, merge_catalogs
from web.state import WebState


def negotiate_language(request: Request, default: str) -> str:
    asked = request.query_params.get("lang") or request.cookies.get("lang")
    if asked in LANGUAGES:
        return asked
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return default


def translator_for(request: Request, state: WebState) -> Translator:
    return Translator(state.catalogs, negotiate_language(request, state.settings.default_language))


def web_catalogs() -> dict[str, dict[str, str]]:
    """``web/locale`` plus the ``locale`` folder of every ``web`` sub-package that has one
    (``web/console/locale``…), so each area keeps its own messages."""
    root = importlib.resources.files("web")
    packages = ["web"] + [
        f"web.{module.name}"
        for module in pkgutil.iter_modules([str(root)])
        if module.ispkg and root.joinpath(module.name, "locale").is_dir()
    ]
    return merge_catalogs(load_catalogs(package) for package in packages)
