"""Invoice statuses and the only transitions allowed between them.

open -> paid and open -> void. A void invoice keeps its number and can be neither paid nor voided
again; a paid invoice is not voided (money came in: that is a refund, handled by payments).
"""

from __future__ import annotations

from enum import StrEnum

from core.billing.errors import InvoiceStateError


class InvoiceStatus(StrEnum):
    OPEN = "open"
    PAID = "paid"
    VOID = "void"


ALLOWED = frozenset(
    {(InvoiceStatus.OPEN, InvoiceStatus.PAID), (InvoiceStatus.OPEN, InvoiceStatus.VOID)}
)

REFUSALS = {
    (InvoiceStatus.VOID, InvoiceStatus.PAID): "billing.invoice.void_cannot_be_paid",
    (InvoiceStatus.VOID, InvoiceStatus.VOID): "billing.invoice.already_void",
    (InvoiceStatus.PAID, InvoiceStatus.PAID): "billing.invoice.already_paid",
    (InvoiceStatus.PAID, InvoiceStatus.VOID): "billing.invoice.paid_cannot_be_voided",
}


def check_transition(number: str, current: str, target: str) -> None:
    """Raise ``InvoiceStateError`` unless ``current`` -> ``target`` is allowed."""
    pair = (InvoiceStatus(current), InvoiceStatus(target))
    if pair in ALLOWED:
        return
    message_id = REFUSALS.get(pair, "billing.invoice.transition_refused")
    raise InvoiceStateError(message_id, number, pair[0].value, pair[1].value)
