"""Applying payment outcomes to orders: once per (tenant, adapter, reference), in one transaction.

An outcome is a final fact an adapter proved (a succeeded PaymentIntent, a bank-file line, a
ledger entry). ``apply_outcome`` records it in ``payments_outcome`` with
``INSERT … ON CONFLICT DO NOTHING`` on the unique (tenant_id, adapter, reference) index: the
second delivery of the same outcome inserts nothing and changes nothing. The first one, in the
same transaction:

- money received (SUCCEEDED or PARTIAL) is counted against the order's total. What the ledger
  says is still due decides, not the adapter's label: when nothing remains due the order moves
  awaiting_payment → paid through ``core.orders.lifecycle.transition`` (a draft order is first
  moved to awaiting_payment, also through the state machine), its open invoice (if any) is
  marked paid, and ``payment.confirmed`` is written to the outbox. Some due left: the order
  stays awaiting payment and ``payment.partial`` carries the remaining due. Money beyond the
  due is recorded as ``surplus`` (``payment.overpaid``); money for an order that is no longer
  awaiting payment (already paid, cancelled, failed) is all surplus, for finance to refund.
- FAILED and CANCELLED are recorded (``payment.failed`` / ``payment.cancelled``) and never
  change the order: the payer may try again. REFUNDED is recorded (``payment.refunded``).
- money for an invoice (``payable_type="invoice"``, a monthly plan's bill collected by direct
  debit) is recorded as received and, when it covers the grand total, marks the open invoice
  paid in the same transaction (``payment.received``; the invoice's ``invoice.paid``).
- money for another payable (a wallet top-up, ``payable_type="wallet_topup"``) is recorded as
  received in full and announced once as ``payment.received``; the payable's owner (the
  wallet plugin's outbox handler) acts on it, idempotently.
- PENDING and REQUIRES_ACTION are not facts and are refused (``ValueError``): adapters do not
  produce them as outcomes.

Because every outcome is a final fact with its own reference, order of delivery does not matter:
a failed attempt arriving after the success is recorded and leaves the paid order alone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from core import outbox
from core.billing.invoices import actor_ref, get_invoice, mark_paid
from core.billing.tables import Invoice
from core.clock import local_date
from core.context import Context
from core.contracts.payments import PaymentOutcome, PaymentState
from core.db import bound_engine, write_transaction
from core.orders.lifecycle import transition
from core.orders.states import OrderState
from core.orders.tables import Order
from core.orders.views import order_row
from core.payments.recipients import RecipientLookup, mail_day, mail_language, recipient_fields
from core.payments.tables import AppliedOutcome

log = logging.getLogger("shomei.payments")

MONEY_IN = (PaymentState.SUCCEEDED, PaymentState.PARTIAL)
INVOICE_PAYABLE = "invoice"
RECORD_ONLY = {
    PaymentState.FAILED: "payment.failed",
    PaymentState.CANCELLED: "payment.cancelled",
    PaymentState.REFUNDED: "payment.refunded",
}
PAID_STATES = frozenset({OrderState.PAID, OrderState.FULFILLING, OrderState.FULFILLED})
"""The states in which a customer sees 入金確認済 (payment confirmed)."""


@dataclass(frozen=True)
class AppliedPayment:
    """What applying an outcome did. ``applied`` is False when it had been applied before
    (then the other fields describe the first application)."""

    applied: bool
    adapter: str
    reference: str
    state: PaymentState
    payable_type: str
    payable_id: int
    amount: int
    received: int
    surplus: int
    remaining_due: int
    effect: str
    """paid | partial | overpaid | surplus | recorded | received (a payable other than an
    order, announced as ``payment.received`` for its owner)"""


@dataclass(frozen=True)
class OrderPayment:
    """An order's payment position, as the customer-facing status is derived from it."""

    order_id: int
    order_state: OrderState
    total: int
    received: int
    surplus: int
    remaining_due: int

    @property
    def confirmed(self) -> bool:
        """入金確認済: the order reached paid (or went on to fulfilment)."""
        return self.order_state in PAID_STATES


async def received_for_order(ctx: Context, order_id: int) -> tuple[int, int]:
    """(money counted towards the order, surplus) over every applied outcome."""
    rows = await (
        AppliedOutcome.select(AppliedOutcome.received, AppliedOutcome.surplus)
        .where(
            (AppliedOutcome.tenant_id == ctx.tenant.id)
            & (AppliedOutcome.payable_type == "order")
            & (AppliedOutcome.payable_id == order_id)
        )
        .run()
    )
    return sum(r["received"] for r in rows), sum(r["surplus"] for r in rows)


async def order_payment(ctx: Context, order_id: int) -> OrderPayment:
    """The order's total, what was received and what remains (NotFound for another tenant's)."""
    row = await order_row(ctx, order_id)
    received, surplus = await received_for_order(ctx, order_id)
    return OrderPayment(
        order_id=order_id,
        order_state=OrderState(row["state"]),
        total=row["total"],
        received=received,
        surplus=surplus,
        remaining_due=max(row["total"] - received, 0),
    )


def _view(row: dict[str, Any], applied: bool) -> AppliedPayment:
    return AppliedPayment(
        applied=applied,
        adapter=row["adapter"],
        reference=row["reference"],
        state=PaymentState(row["state"]),
        payable_type=row["payable_type"],
        payable_id=row["payable_id"],
        amount=row["amount"],
        received=row["received"],
        surplus=row["surplus"],
        remaining_due=row["remaining_due"],
        effect=row["effect"],
    )


async def _claim(ctx: Context, adapter: str, outcome: PaymentOutcome) -> int | None:
    """Insert the outcome's row; None when (tenant, adapter, reference) is already there."""
    inserted = await (
        AppliedOutcome.insert(
            AppliedOutcome(
                tenant_id=ctx.tenant.id,
                adapter=adapter,
                reference=outcome.reference,
                state=outcome.state.value,
                payable_type=outcome.payable_type,
                payable_id=outcome.payable_id,
                amount=outcome.amount,
                effect="recorded",
                actor=actor_ref(ctx.actor),
                applied_at=ctx.clock.now(),
            )
        )
        .on_conflict(
            target=(AppliedOutcome.tenant_id, AppliedOutcome.adapter, AppliedOutcome.reference),
            action="DO NOTHING",
        )
        .returning(AppliedOutcome.id)
        .run()
    )
    return inserted[0]["id"] if inserted else None


async def _existing(ctx: Context, adapter: str, reference: str) -> AppliedPayment:
    row = await (
        AppliedOutcome.select()
        .where(
            (AppliedOutcome.tenant_id == ctx.tenant.id)
            & (AppliedOutcome.adapter == adapter)
            & (AppliedOutcome.reference == reference)
        )
        .first()
        .run()
    )
    assert row is not None
    return _view(row, applied=False)


async def apply_outcome(
    ctx: Context,
    outcome: PaymentOutcome,
    adapter: str,
    recipients: RecipientLookup | None = None,
) -> AppliedPayment:
    """Apply ``outcome`` of ``adapter`` once (see the module docstring). ``recipients``
    (``core.payments.recipients``) names who gets the 入金確認済 mail of ``payment.confirmed``."""
    if outcome.state not in MONEY_IN and outcome.state not in RECORD_ONLY:
        raise ValueError(f"{outcome.state.value} is not a final payment outcome")
    async with write_transaction():
        if outcome.payable_type == "order":
            await order_row(ctx, outcome.payable_id)  # NotFound before anything is written
            await _lock_order(ctx, outcome.payable_id)
        elif outcome.payable_type == INVOICE_PAYABLE:
            await get_invoice(ctx, outcome.payable_id)  # NotFound before anything is written
        record_id = await _claim(ctx, adapter, outcome)
        if record_id is None:
            return await _existing(ctx, adapter, outcome.reference)
        payload: dict[str, Any] = {}
        if outcome.payable_type != "order" and outcome.state in MONEY_IN:
            # a payable another part owns (a wallet top-up): the whole amount is received,
            # and its owner acts on ``payment.received`` (once: this row is inserted once)
            values = {"received": outcome.amount, "effect": "received"}
            event = "payment.received"
            if outcome.payable_type == INVOICE_PAYABLE:
                await _pay_invoice(ctx, outcome)
        elif outcome.payable_type != "order":
            values, event = {"effect": "recorded"}, RECORD_ONLY[outcome.state]
        elif outcome.state in MONEY_IN:
            values, event, payload = await _money_in(ctx, outcome, recipients)
        else:
            values, event, payload = {"effect": "recorded"}, RECORD_ONLY[outcome.state], {}
        await (
            AppliedOutcome.update(
                {getattr(AppliedOutcome, name): value for name, value in values.items()}
            )
            .where(AppliedOutcome.id == record_id)
            .run()
        )
        await outbox.record(
            ctx,
            "payment",
            record_id,
            event,
            {
                "adapter": adapter,
                "reference": outcome.reference,
                "state": outcome.state.value,
                "payable_type": outcome.payable_type,
                "payable_id": outcome.payable_id,
                "amount": outcome.amount,
                **values,
                **payload,
            },
        )
        surplus = outcome.payable_type == "order" and values.get("surplus")
        if surplus and event != "payment.overpaid":
            await outbox.record(
                ctx,
                "payment",
                record_id,
                "payment.overpaid",
                {"order_id": outcome.payable_id, "reference": outcome.reference, **values},
            )
        row = await AppliedOutcome.select().where(AppliedOutcome.id == record_id).first().run()
    assert row is not None
    return _view(row, applied=True)


async def _lock_order(ctx: Context, order_id: int) -> None:
    """Serialise outcomes of one order, so two concurrent part-payments both see each other's
    money. SQLite's write transaction is BEGIN IMMEDIATE, which serialises already."""
    if isinstance(bound_engine(), PostgresEngine):
        await (
            Order.select(Order.id)
            .where((Order.id == order_id) & (Order.tenant_id == ctx.tenant.id))
            .lock_rows()
            .run()
        )


async def _money_in(
    ctx: Context, outcome: PaymentOutcome, recipients: RecipientLookup | None
) -> tuple[dict[str, Any], str, dict[str, Any]]:
    order_id = outcome.payable_id
    order = await order_row(ctx, order_id)
    state = OrderState(order["state"])
    received_before, _ = await received_for_order(ctx, order_id)
    if state not in (OrderState.DRAFT, OrderState.AWAITING_PAYMENT):
        # already paid (a second payment), cancelled or failed: the money is all surplus
        remaining = max(order["total"] - received_before, 0)
        values = {"received": 0, "surplus": outcome.amount, "remaining_due": remaining}
        values["effect"] = "surplus"
        return values, "payment.overpaid", {"order_id": order_id, "order_state": state.value}
    due_before = max(order["total"] - received_before, 0)
    received = min(outcome.amount, due_before)
    surplus = outcome.amount - received
    remaining = due_before - received
    values = {"received": received, "surplus": surplus, "remaining_due": remaining}
    common = {
        "order_id": order_id,
        "order_number": order["number"] or str(order_id),
        "customer_id": order["customer_id"],
    }
    if remaining:
        values["effect"] = "partial"
        return values, "payment.partial", {**common, "total": order["total"]}
    reason = f"payment {outcome.reference}"
    if state is OrderState.DRAFT:
        await transition(ctx, order_id, OrderState.AWAITING_PAYMENT, reason)
    await transition(ctx, order_id, OrderState.PAID, reason)
    await _mark_invoice_paid(ctx, order_id, outcome.reference)
    values["effect"] = "overpaid" if surplus else "paid"
    mail = await recipient_fields(ctx, recipients, order["customer_id"])
    paid_on = mail_day(local_date(ctx.clock), mail_language(ctx, mail))
    return (
        values,
        "payment.confirmed",
        {**mail, **common, "paid_on": paid_on, "total": order["total"]},
    )


async def _pay_invoice(ctx: Context, outcome: PaymentOutcome) -> None:
    """An open invoice whose grand total the money covers becomes paid; anything else (less
    money, an invoice paid or voided meanwhile) stays as it is, the money recorded for staff."""
    invoice = await get_invoice(ctx, outcome.payable_id)
    if invoice.status == "open" and outcome.amount >= invoice.grand_total:
        await mark_paid(ctx, invoice.id, outcome.reference)
    else:
        log.warning(
            "invoice payment not applied",
            extra={"invoice_id": invoice.id, "status": invoice.status, "amount": outcome.amount},
        )


async def _mark_invoice_paid(ctx: Context, order_id: int, reference: str) -> None:
    """Mark the order's open invoice paid, if it has one."""
    rows = await (
        Invoice.select(Invoice.id)
        .where(
            (Invoice.tenant_id == ctx.tenant.id)
            & (Invoice.source_type == "order")
            & (Invoice.source_id == str(order_id))
            & (Invoice.status == "open")
        )
        .run()
    )
    for row in rows:
        await mark_paid(ctx, row["id"], reference)
