"""The messaging app's hook implementations: outbox handlers for e-mail and webhooks (and the
translation of entitlement events into application mails).

The mail handler needs a ``Mailer`` (templates, SMTP settings); the one used here is built on
first use from the process's settings (``core.settings.get_settings``) and plugins, never at
import time. Tests build their own ``Mailer`` and call ``mail_handlers`` with it.
"""

from __future__ import annotations

from typing import Any

from core.entitlements.applications import application_handlers
from core.hookspecs import hookimpl
from core.messaging.mail_events import mail_handlers
from core.messaging.mailer import Mailer
from core.messaging.webhooks import webhook_handlers
from core.outbox_relay import Handler, merge_handlers

_mailer: list[Mailer] = []


def default_mailer() -> Mailer:
    """The process's mailer, built once from its settings and plugin manager."""
    if not _mailer:
        from core.plugins import build_plugin_manager
        from core.settings import get_settings

        settings = get_settings()
        pm = build_plugin_manager(load_entrypoints=settings.load_entrypoint_plugins)
        _mailer.append(Mailer.from_settings(settings, pm))
    return _mailer[0]


@hookimpl
def register_periodic_tasks() -> dict[str, dict[str, Any]]:
    """The webhook sweep (``workers/tasks/webhooks.py``), named, not imported."""
    return {"webhook-dispatch": {"task": "shomei.default.dispatch_webhooks", "schedule": 10.0}}


@hookimpl
def register_event_handlers() -> dict[str, list[Handler]]:
    """Mail and webhooks for every event, and the application mails followed from the
    entitlement events (``core.entitlements.applications``)."""
    return merge_handlers(
        [application_handlers(), mail_handlers(default_mailer), webhook_handlers()]
    )
