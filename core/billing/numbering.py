"""Per-tenant invoice numbers: sequential, gapless, never duplicated.

The number comes from the tenant's counter row, incremented by one upsert inside the invoice's
own transaction. On PostgreSQL the updated row stays locked until that transaction ends, so a
concurrent creation waits, and a rolled-back creation gives its number back. On SQLite the
caller's ``BEGIN IMMEDIATE`` transaction holds the single write lock, with the same effect.
Numbers print as ``INV-000123`` (six digits, zero-padded; longer once past 999999).
"""

from __future__ import annotations

from core.billing.tables import InvoiceCounter

PREFIX = "INV"

_TAKE = (
    "INSERT INTO billing_invoice_counter (tenant_id, next_seq) VALUES ({}, 2) "
    "ON CONFLICT (tenant_id) DO UPDATE SET next_seq = billing_invoice_counter.next_seq + 1 "
    "RETURNING next_seq"
)
_GIVE_BACK = "UPDATE billing_invoice_counter SET next_seq = next_seq - 1 WHERE tenant_id = {}"


def format_number(seq: int) -> str:
    return f"{PREFIX}-{seq:06d}"


async def take_seq(tenant_id: int) -> int:
    """The tenant's next number, locking its counter until the surrounding transaction ends."""
    rows = await InvoiceCounter.raw(_TAKE, tenant_id).run()
    return int(rows[0]["next_seq"]) - 1


async def give_back_seq(tenant_id: int) -> None:
    """Undo ``take_seq`` in the same transaction (the lock is still held, so no one saw it)."""
    await InvoiceCounter.raw(_GIVE_BACK, tenant_id).run()
