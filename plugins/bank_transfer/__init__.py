"""Bank transfer (銀行振込): payment instructions, Zengin file parsing and matching."""

from __future__ import annotations

from core.hookspecs import hookimpl
from plugins.bank_transfer.adapter import BankTransferAdapter


@hookimpl
def register_payment_adapters() -> list[type]:
    return [BankTransferAdapter]
