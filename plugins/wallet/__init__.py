"""Wallet (おさいぽ!-style): a prepaid balance per customer on a double-entry ledger."""

from __future__ import annotations

from core.hookspecs import hookimpl
from core.i18n import load_catalogs
from plugins.wallet.adapter import WalletAdapter


@hookimpl
def register_payment_adapters() -> list[type]:
    return [WalletAdapter]


@hookimpl
def register_piccolo_apps() -> list[str]:
    return ["plugins.wallet.piccolo_app"]


@hookimpl
def register_translations() -> dict[str, dict[str, str]]:
    return load_catalogs("plugins.wallet")
