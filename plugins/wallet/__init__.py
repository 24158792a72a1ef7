"""Wallet (おさいぽ!-style): a prepaid balance per customer on a double-entry ledger."""

from __future__ import annotations

from typing import Any

from core.hookspecs import hookimpl
from core.i18n import load_catalogs
from plugins.wallet.adapter import WalletAdapter
from plugins.wallet.topups import on_payment_method_reset, on_payment_received


@hookimpl
def register_payment_adapters() -> list[type]:
    return [WalletAdapter]


@hookimpl
def register_piccolo_apps() -> list[str]:
    return ["plugins.wallet.piccolo_app"]


@hookimpl
def register_translations() -> dict[str, dict[str, str]]:
    return load_catalogs("plugins.wallet")


@hookimpl
def register_event_handlers() -> dict[str, list[Any]]:
    """Top-up money applied by the engine credits the wallet; a payment-method reset unlinks
    it. Both are idempotent (the relay delivers at least once)."""
    return {
        "payment.received": [on_payment_received],
        "payment.method_reset": [on_payment_method_reset],
    }


@hookimpl
def register_routes() -> list[Any]:
    """The wallet's JSON API under ``/api/v1`` (``plugins.wallet.api``) and the card top-up's
    3-D Secure return (``plugins.wallet.topup_return``), imported when routes are collected so
    workers loading this plugin never import Litestar."""
    from plugins.wallet.api import wallet_router
    from plugins.wallet.topup_return import topup_return_router

    return [wallet_router(), topup_return_router()]
