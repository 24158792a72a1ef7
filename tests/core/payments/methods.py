"""A fixed set of enabled payment methods, standing in for the tenant's payment accounts."""

from __future__ import annotations

from core.context import Context

KNOWN = ("card", "bank_transfer", "wallet", "direct_debit")


class Enabled:
    """``EnabledPaymentMethods`` with the given codes enabled (in registry order)."""

    known = KNOWN

    def __init__(self, *codes: str) -> None:
        self.codes = tuple(code for code in KNOWN if code in codes)

    async def enabled(self, ctx: Context) -> tuple[str, ...]:
        return self.codes
