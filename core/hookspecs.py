"""Every hook shomei calls, one line of documentation each (see docs/plugins.md).

Verb families: ``register_*`` hooks return things to add to a registry; ``prepare_*`` hooks
adjust an object in place. Per-tenant activation comes from data (a tenant's provider accounts),
never from registering plugins per request.
"""

from __future__ import annotations

from typing import Any

import pluggy

PROJECT = "shomei"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def register_providers() -> list[type]:
    """Return Provider classes (``core.contracts.Provider``), each with a unique ``code``."""


@hookspec
def register_payment_adapters() -> list[type]:
    """Return PaymentAdapter classes (``core.contracts.PaymentAdapter``), each with its code."""


@hookspec
def register_issuers() -> list[type]:
    """Return Issuer classes (``core.contracts.Issuer``), each with a unique ``code``."""


@hookspec
def register_piccolo_apps() -> list[str]:
    """Return dotted paths of ``piccolo_app`` modules whose tables and migrations shomei owns."""


@hookspec
def register_routes() -> list[Any]:
    """Return Litestar route handlers, controllers or routers to mount in the web app."""


@hookspec
def register_task_modules() -> list[str]:
    """Return dotted paths of modules defining Celery tasks, imported by the worker."""


@hookspec
def register_periodic_tasks() -> dict[str, dict[str, Any]]:
    """Return beat entries: name -> {"task": task name, "schedule": seconds, "options": {...}}."""


@hookspec
def register_schedule_jobs() -> list[Any]:
    """Return scheduled jobs (``core.schedules.sweep.Job`` objects) run by the schedule sweep
    tasks under their ``name``; their beat entries come from ``register_periodic_tasks``."""


@hookspec
def register_translations() -> dict[str, dict[str, str]]:
    """Return message catalogs: language code -> {message id: text}, merged over shomei's own."""


@hookspec
def prepare_jinja2_environment(env: Any, purpose: str) -> None:
    """Adjust a Jinja2 environment (filters, globals) built for ``purpose``: "pages" or "email"."""


@hookspec
def register_demo_seeders() -> list[Any]:
    """Return async callables ``(clock) -> list[str]`` that fill an empty embedded database with
    demo data; the returned lines (logins, URLs) are printed by ``shomei up``."""


@hookspec
def register_embedded_services() -> list[Any]:
    """Return ``core.embedded_services.EmbeddedService``s: local stand-ins of upstreams (a
    sandbox CA, a Stripe stand-in) that ``shomei up`` runs on loopback before seeding the demo."""


@hookspec
def register_event_handlers() -> dict[str, list[Any]]:
    """Return outbox handlers: event type -> async callables ``(ctx, event)``, each idempotent."""


@hookspec
def register_job_runners() -> dict[str, Any]:
    """Return background-job runners: job kind -> async callable ``(run: core.jobs.running.JobRun)
    -> JobOutput``, run by the worker's ``shomei.jobs.run_job`` task (``core/jobs/``)."""


@hookspec
def register_mail_attachments() -> dict[str, Any]:
    """Return mail attachment builders: event type -> async callable ``(ctx, event) -> list of
    core.messaging.mailer.Attachment``, attached to that event's mail (``mail_events``)."""
