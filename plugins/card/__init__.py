"""Card payments (クレジットカード) through Stripe, with each tenant's own keys."""

from __future__ import annotations

from core.hookspecs import hookimpl
from plugins.card.adapter import CardAdapter


@hookimpl
def register_payment_adapters() -> list[type]:
    return [CardAdapter]


@hookimpl
def register_piccolo_apps() -> list[str]:
    return ["plugins.card.piccolo_app"]
