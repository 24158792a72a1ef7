"""The tenants app's own hook implementations."""

from __future__ import annotations

from typing import Any

from core.hookspecs import hookimpl
from core.i18n import load_catalogs


@hookimpl
def register_piccolo_apps() -> list[str]:
    return ["tenants.piccolo_app"]


@hookimpl
def register_translations() -> dict[str, dict[str, str]]:
    return load_catalogs("tenants")


@hookimpl
def register_demo_seeders() -> list[object]:
    from tenants.demo import seed_demo_tenant

    return [seed_demo_tenant]


@hookimpl
def register_event_handlers() -> dict[str, list[Any]]:
    """The tenant's invoice for an order, as soon as it is to be paid or is paid."""
    from tenants.order_invoices import order_invoice_handlers

    return dict(order_invoice_handlers())
