"""Per-tenant invoice numbers: sequential, gapless, never duplicated (``core.numbering``).

Numbers print as ``INV-000123`` (six digits, zero-padded; longer once past 999999).
"""

from __future__ import annotations

from core.billing.tables import InvoiceCounter
from core.numbering import Counter

PREFIX = "INV"
INVOICES = Counter(InvoiceCounter)


def format_number(seq: int) -> str:
    return f"{PREFIX}-{seq:06d}"


async def take_seq(tenant_id: int) -> int:
    """The tenant's next number, locking its counter until the surrounding transaction ends."""
    return await INVOICES.take(tenant_id)


async def give_back_seq(tenant_id: int) -> None:
    """Undo ``take_seq`` in the same transaction (the lock is still held, so no one saw it)."""
    await INVOICES.give_back(tenant_id)
