"""Jinja2 environments for pages and e-mails, in Japanese and English.

Templates come from every package that has a ``templates/`` folder and asks for it; plugins
adjust each environment through the ``prepare_jinja2_environment`` hook. Translation is a
per-render ``_`` callable (``core.i18n.Translator``) put into the template context.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import jinja2
import pluggy

from core.clock import JST
from core.i18n import format_yen

PURPOSES = ("pages", "email")


def build_environment(
    pm: pluggy.PluginManager, purpose: str, template_packages: Sequence[str]
) -> jinja2.Environment:
    """An environment loading ``<package>/templates`` in order, autoescaped for HTML."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown template purpose {purpose!r}")
    loader = jinja2.ChoiceLoader(
        [jinja2.PackageLoader(name, "templates") for name in template_packages]
    )
    env = jinja2.Environment(
        loader=loader,
        autoescape=jinja2.select_autoescape(("html", "xml", "j2")),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["yen"] = format_yen
    env.filters["jst_date"] = jst_date
    pm.hook.prepare_jinja2_environment(env=env, purpose=purpose)
    return env


def jst_date(value: datetime | str | None) -> str:
    """A moment as the calendar day in Japan (``2027-03-14``); an ISO string is read first.
    Pages show days, not UTC timestamps."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(JST).date().isoformat()
