"""Billing's refusals. Each carries a message id of ``core/billing/locale`` for the user."""

from __future__ import annotations

from core.errors import ShomeiError


class InvoiceError(ShomeiError):
    """An invoice operation was refused; ``message_id`` says why in the user's language."""

    def __init__(self, message_id: str, detail: str) -> None:
        self.message_id = message_id
        super().__init__(detail)


class InvoiceNotFound(InvoiceError):
    """No invoice with this id in the caller's tenant (another tenant's invoice included)."""

    def __init__(self, invoice_id: int | str) -> None:
        super().__init__("billing.invoice.not_found", f"invoice {invoice_id} not found")


class InvoiceStateError(InvoiceError):
    """The invoice's status does not allow the requested change."""

    def __init__(self, message_id: str, number: str, current: str, target: str) -> None:
        self.number = number
        self.current = current
        self.target = target
        super().__init__(message_id, f"invoice {number} is {current}; it cannot become {target}")


class IdempotencyKeyReused(InvoiceError):
    """The idempotency key already made an invoice for a different source."""

    def __init__(self, key: str) -> None:
        super().__init__(
            "billing.invoice.key_reused", f"idempotency key {key!r} belongs to another source"
        )
