"""Rendering one e-mail: subject, plain text and HTML, in the recipient's language, branded.

Templates live in ``core/messaging/templates/email/messaging/<template>.{txt,html}.j2`` and take
every word from the message catalogs (``mail.*`` ids), so one template serves ja and en. The
HTML part is autoescaped; the text part is rendered by an overlay of the same environment with
autoescaping off (a URL's ``&`` must stay ``&`` in plain text).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jinja2
import pluggy

from core.i18n import LANGUAGES, Translator, merge_catalogs
from core.messaging.branding import Branding
from core.messaging.events import MAIL_KINDS, MailKind
from core.templating import build_environment

TEMPLATE_FOLDER = "email/messaging"


class MailPayloadError(ValueError):
    """An event lacks a field its mail needs: the producer broke the payload contract."""


@dataclass(frozen=True)
class RenderedMail:
    template: str
    language: str
    subject: str
    text: str
    html: str


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


class MailRenderer:
    """Build once per process: it holds the Jinja2 environments and the merged catalogs."""

    def __init__(self, pm: pluggy.PluginManager) -> None:
        self.html_env = build_environment(pm, "email", ["core.messaging"])
        self.text_env = self.html_env.overlay(autoescape=False)
        self.catalogs = merge_catalogs(reversed(pm.hook.register_translations()))

    def render(
        self, kind: MailKind | str, language: str, branding: Branding, data: Mapping[str, Any]
    ) -> RenderedMail:
        kind = MAIL_KINDS[kind] if isinstance(kind, str) else kind
        missing = [name for name in kind.required if data.get(name) in (None, "")]
        if missing:
            raise MailPayloadError(f"{kind.event_type} needs {', '.join(missing)} in its payload")
        language = language if language in LANGUAGES else LANGUAGES[0]
        values = {**{name: None for name in kind.optional}, **data}
        translate = Translator(self.catalogs, language)
        name = values.get("customer_name") or values.get("name")
        context = {
            "_": translate,
            "language": language,
            "brand": branding,
            "data": values,
            "greeting": translate("mail.greeting", name=name)
            if name
            else translate("mail.greeting_anonymous"),
        }
        params = {key: value for key, value in values.items() if _scalar(value)}
        subject = translate(f"mail.{kind.template}.subject", tenant=branding.name, **params)
        return RenderedMail(
            template=kind.template,
            language=language,
            subject=" ".join(subject.split()),
            text=self._render(self.text_env, f"{kind.template}.txt.j2", context),
            html=self._render(self.html_env, f"{kind.template}.html.j2", context),
        )

    @staticmethod
    def _render(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
        return env.get_template(f"{TEMPLATE_FOLDER}/{name}").render(context)
