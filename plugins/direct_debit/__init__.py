"""Direct debit (口座振替) for monthly plans: mandates and monthly collections."""

from __future__ import annotations

from core.hookspecs import hookimpl
from core.i18n import load_catalogs
from plugins.direct_debit.adapter import DirectDebitAdapter


@hookimpl
def register_payment_adapters() -> list[type]:
    return [DirectDebitAdapter]


@hookimpl
def register_piccolo_apps() -> list[str]:
    return ["plugins.direct_debit.piccolo_app"]


@hookimpl
def register_translations() -> dict[str, dict[str, str]]:
    return load_catalogs("plugins.direct_debit")
