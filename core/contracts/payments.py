"""The PaymentAdapter contract: card, bank transfer, wallet, direct debit.

An adapter starts a payment and later learns its outcome (a webhook, an imported bank file, a
wallet debit). Either way the outcome reaches the order only through the order engine's state
machine, once: ``PaymentOutcome.reference`` is unique per tenant and adapter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar, Protocol, runtime_checkable

from core.context import Context
from core.contracts.common import ConfigField, Yen
from core.errors import ShomeiError


class PaymentState(StrEnum):
    PENDING = "pending"
    REQUIRES_ACTION = "requires_action"
    SUCCEEDED = "succeeded"
    PARTIAL = "partial"
    FAILED = "failed"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


@dataclass(frozen=True)
class PaymentRequest:
    """What is to be paid: an order (or invoice, or wallet top-up) and its tax-inclusive amount."""

    payable_type: str
    payable_id: int
    amount: Yen
    customer_id: int
    description: str = ""
    return_url: str = ""
    saved_method_ref: str | None = None
    attempt: str = ""
    """The caller's id of this attempt to pay, stored with the payment at the processor (the
    card adapter: PaymentIntent metadata ``shomei_attempt``) so ``find_started`` finds it after
    an answer that was lost."""


@dataclass(frozen=True)
class PaymentStart:
    """How the payer continues: a redirect (3-D Secure, hosted page), instructions to show and
    mail (bank transfer), a confirmation form (wallet), or nothing when already settled."""

    state: PaymentState
    reference: str
    redirect_url: str | None = None
    instructions: dict[str, Any] = field(default_factory=dict)
    client_secret: str | None = None


class PaymentNotStarted(ShomeiError):
    """The processor refused to start the payment before creating anything (a 4xx answer, a
    local check): trying again cannot pay twice. Any other failure of ``start`` (a timeout, a
    5xx, a dropped connection, a cancelled request) may have started it."""


@dataclass(frozen=True)
class PaymentOutcome:
    """A confirmed fact about a payment; ``reference`` is the adapter's id for it (a Stripe
    PaymentIntent, a bank-file line, a ledger entry) and makes applying it idempotent."""

    state: PaymentState
    reference: str
    payable_type: str
    payable_id: int
    amount: Yen


@dataclass(frozen=True)
class RefundOutcome:
    reference: str
    amount: Yen
    state: PaymentState


@runtime_checkable
class PaymentAdapter(Protocol):
    code: ClassVar[str]
    config_fields: ClassVar[tuple[ConfigField, ...]]
    supports_recurring: ClassVar[bool]
    """True when the adapter can charge without the payer present, which sets automatic renewal."""

    async def start(self, ctx: Context, request: PaymentRequest) -> PaymentStart: ...

    async def confirm(self, ctx: Context, evidence: dict[str, Any]) -> list[PaymentOutcome]:
        """Turn evidence (a verified webhook event, a parsed bank file, a wallet confirmation)
        into outcomes. Pure with respect to orders: the engine applies them."""
        ...

    async def refund(self, ctx: Context, reference: str, amount: Yen) -> RefundOutcome: ...

    async def charge_saved(self, ctx: Context, request: PaymentRequest) -> PaymentStart:
        """Charge a saved method for automatic renewal; adapters without recurring refuse."""
        ...


@runtime_checkable
class FindsStartedPayments(Protocol):
    """An adapter that can look a payment up by ``PaymentRequest.attempt`` and read a started
    payment again (the card adapter): after an ambiguous failure of ``start`` the caller looks
    before starting another."""

    async def find_started(self, ctx: Context, attempt: str) -> PaymentStart | None: ...

    async def started(self, ctx: Context, reference: str) -> PaymentStart:
        """How the payer continues a payment already started (client secret, redirect)."""
        ...
