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
    """``POST /webhooks/stripe/{tenant_slug}`` (web.api.payments) and the sandbox's Stripe.js
    stand-in (``sandbox_pages``), imported when routes are collected so workers loading this
    plugin never import Litestar."""
    from plugins.card.sandbox_pages import sandbox_router
    from web.api.payments import stripe_webhook_router

    return [stripe_webhook_router(), sandbox_router()]


@hookimpl
def register_demo_seeders() -> list[Any]:
    from plugins.card.demo import seed_demo_card

    return [seed_demo_card]


@hookimpl
def register_embedded_services() -> list[Any]:
    from plugins.card.demo import embedded_service

    return [embedded_service()]
