"""core's own hook implementations: its Piccolo app, its tasks and its message catalogs."""

from __future__ import annotations

from core.hookspecs import hookimpl
from core.i18n import load_catalogs


@hookimpl
def register_piccolo_apps() -> list[str]:
    return ["core.piccolo_app"]


@hookimpl
def register_translations() -> dict[str, dict[str, str]]:
    return load_catalogs("core")
