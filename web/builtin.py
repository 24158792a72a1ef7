"""The web app's own hook implementations (kept free of Litestar imports: workers load it)."""

from __future__ import annotations

from typing import Any

from core.hookspecs import hookimpl


@hookimpl
def register_piccolo_apps() -> list[str]:
    return ["web.piccolo_app", "web.storefront.piccolo_app"]


@hookimpl
def register_event_handlers() -> dict[str, list[Any]]:
    """A hosted checkout session's order: its ``order.paid`` and ``entitlement.issued`` are
    followed by webhook events carrying the session's metadata (``web.storefront.events``)."""
    from core.outbox_relay import merge_handlers
    from web.portal_certificates.events import certificate_handlers
    from web.storefront.events import storefront_handlers

    # entitlement.issued with a certificate is followed by certificate.issued (mail, webhooks)
    return merge_handlers([storefront_handlers(), certificate_handlers()])


@hookimpl
def register_job_runners() -> dict[str, Any]:
    """Background jobs started from the console: a big Zengin import, a big CSV export."""
    from web.console import csv_jobs, transfer_jobs

    return {transfer_jobs.KIND: transfer_jobs.run_import, csv_jobs.KIND: csv_jobs.run_csv_export}
