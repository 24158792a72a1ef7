"""Card payments (クレジットカード) through Stripe, with each tenant's own keys."""

from __future__ import annotations

from typing import Any

from core.hookspecs import hookimpl
from plugins.card.adapter import CardAdapter


@hookimpl
def register_payment_adapters() -> list[type]:
    return [CardAdapter]


@hookimpl
def register_piccolo_apps() -> list[str]:
    return ["plugins.card.piccolo_app"]


@hookimpl
def register_routes() -> list[Any]:
    """``POST /webhooks/stripe/{tenant_slug}`` (web.api.payments), imported when routes are
    collected so workers loading this plugin never import Litestar."""
    from web.api.payments import stripe_webhook_router

    return [stripe_webhook_router()]
