"""DigiCert CertCentral Partner-style provider: vouchers, redemptions and certificate orders.

``client`` is the upstream HTTP client, ``sandbox`` a sandbox upstream; ``vouchers``,
``redemption``, ``exports``, ``pdf`` and ``contracts`` are the services built on them, and
``api`` their routes under ``/api/v1/digicert``. See ``docs/digicert.md``.
"""

from __future__ import annotations

from typing import Any

from core.hookspecs import hookimpl
from core.i18n import load_catalogs


@hookimpl
def register_piccolo_apps() -> list[str]:
    return ["plugins.digicert.piccolo_app"]


@hookimpl
def register_translations() -> dict[str, dict[str, str]]:
    return load_catalogs("plugins.digicert")


@hookimpl
def register_routes() -> list[Any]:
    from plugins.digicert.api import digicert_router
    from plugins.digicert.console import console_routers
    from plugins.digicert.contract_page import contract_router
    from plugins.digicert.redeem_pages import redeem_router
    from plugins.digicert.signup_page import signup_router

    return [
        digicert_router(),
        *console_routers(),
        contract_router(),
        redeem_router(),
        signup_router(),
    ]


@hookimpl
def register_demo_seeders() -> list[Any]:
    from plugins.digicert.demo import seed_demo_digicert

    return [seed_demo_digicert]


@hookimpl
def register_embedded_services() -> list[Any]:
    from plugins.digicert.demo import embedded_service

    return [embedded_service()]


@hookimpl
def register_providers() -> list[type]:
    from plugins.digicert.provider import DigiCertProvider

    return [DigiCertProvider]


@hookimpl
def register_schedule_jobs() -> list[Any]:
    from plugins.digicert.schedules import BulkInvoices, OngoingInvoices, VoucherExpiry

    return [VoucherExpiry(), OngoingInvoices(), BulkInvoices()]


@hookimpl
def register_periodic_tasks() -> dict[str, dict[str, Any]]:
    from core.schedules.jobs import beat_entry
    from plugins.digicert import schedules as jobs

    return {
        "schedule-digicert-voucher-expiry": beat_entry(
            jobs.VOUCHER_EXPIRY, **jobs.VOUCHER_EXPIRY_BEAT
        ),
        "schedule-digicert-ongoing-invoice": beat_entry(
            jobs.ONGOING_INVOICE, **jobs.ONGOING_INVOICE_BEAT
        ),
        "schedule-digicert-bulk-invoice": beat_entry(jobs.BULK_INVOICE, **jobs.BULK_INVOICE_BEAT),
    }


@hookimpl
def register_job_runners() -> dict[str, Any]:
    from plugins.digicert.voucher_pdfs import KIND, render_job

    return {KIND: render_job}


@hookimpl
def register_mail_attachments() -> dict[str, Any]:
    """The voucher PDF of a voucher order's ``voucher.delivered`` mail."""
    from plugins.digicert.voucher_mail import DELIVERED, delivered_attachments

    return {DELIVERED: delivered_attachments}
