"""Bank transfer (銀行振込) for orders: instructions with a stored expectation, Zengin imports,
and the unmatched queue finance staff resolve by hand.

- ``issue_transfer_instructions(ctx, order_id, account, recipients=None)`` stores the order's
  payer reference, amount and due date (once: issuing again returns what was stored) and
  announces ``payment.instructions_issued`` with everything the お振込先のご案内 mail needs; the
  recipient (``to``, ``language``, ``customer_name``) comes from the ``recipients`` lookup
  (``core.payments.recipients``). A draft order moves to awaiting_payment.
- ``import_zengin(ctx, data)`` refuses a file that fails the parser's checks (whole, with the
  parser's message), stores the file (its fingerprint is unique per tenant: the same file again
  changes nothing and says so) and each line (line fingerprints are unique too, so a line seen in
  an earlier file is not paid twice), matches the new lines against the open expectations with
  ``plugins.bank_transfer.matching`` and applies every outcome through ``ledger.apply_outcome``.
  Lines nobody matches wait in the unmatched queue.
- ``resolve_unmatched(ctx, line_id, order_id)`` assigns a queued line to an order (once).
- ``transfer_expectation(ctx, order_id)``: the stored instructions of an order, if any.

``import_zengin`` and ``resolve_unmatched`` pass their ``recipients`` lookup on to
``apply_outcome``, so ``payment.confirmed`` (入金確認済) reaches the customer too.

The parser, the matcher and the instructions are the bank-transfer plugin's; core reaches
them through ``core.payments.bank_backend`` (the adapter class found by code in the plugin
registry), never by import. Every service takes an optional ``backend`` (the web layer passes
its registry's); without it the built-in plugins' is used.

Payables other than orders (a wallet top-up) wait in ``payments_payable_expectation``
(``expect_transfer``); ``import_zengin`` matches them with the orders and settles them when
their money is applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from core import outbox
from core.billing.invoices import actor_ref
from core.clock import local_date
from core.context import Context
from core.contracts.common import PluginAccount
from core.contracts.payments import PaymentOutcome, PaymentRequest, PaymentState
from core.db import write_transaction
from core.errors import FieldError, NotFound, ValidationFailed
from core.orders.lifecycle import transition
from core.orders.states import OrderState
from core.orders.views import order_row
from core.payments.bank_backend import (
    BankFileRefused,
    BankLineRecord,
    BankTransferBackend,
    OpenPayment,
    bank_transfer_backend,
)
from core.payments.ledger import AppliedPayment, apply_outcome, received_for_order
from core.payments.recipients import RecipientLookup, mail_day, mail_language, recipient_fields
from core.payments.tables import BankFile, BankLine, PayableExpectation, TransferExpectation

ADAPTER = "bank_transfer"
OPEN, SETTLED = "open", "settled"


def _refuse(field: str, message_id: str, **params: object) -> ValidationFailed:
    return ValidationFailed([FieldError(field, message_id, dict(params))])


@dataclass(frozen=True)
class ExpectationView:
    order_id: int
    payer_reference: str
    amount: int
    due_date: date
    instructions: dict[str, Any]


@dataclass(frozen=True)
class UnmatchedLine:
    id: int
    file_id: int
    record_number: int
    account_number: str
    inquiry_number: str
    account_date: date | None
    amount: int
    payer_name: str
    reason: str


@dataclass(frozen=True)
class ImportResult:
    """``changed`` is False when the same file had been imported before (nothing was done)."""

    file_id: int
    changed: bool
    kind: str
    lines: int
    new_lines: int
    matched: int
    unmatched: int
    payments: tuple[AppliedPayment, ...]


def _expectation_view(row: dict[str, Any]) -> ExpectationView:
    return ExpectationView(
        order_id=row["order_id"],
        payer_reference=row["payer_reference"],
        amount=row["amount"],
        due_date=row["due_date"],
        instructions=row["instructions"],
    )


async def _expectation(ctx: Context, order_id: int) -> dict[str, Any] | None:
    return await (
        TransferExpectation.select()
        .where(
            (TransferExpectation.tenant_id == ctx.tenant.id)
            & (TransferExpectation.order_id == order_id)
        )
        .first()
        .output(load_json=True)
        .run()
    )


async def transfer_expectation(ctx: Context, order_id: int) -> ExpectationView | None:
    """The order's stored transfer instructions (None when none were issued)."""
    row = await _expectation(ctx, order_id)
    return _expectation_view(row) if row is not None else None


async def issue_transfer_instructions(
    ctx: Context,
    order_id: int,
    account: PluginAccount,
    recipients: RecipientLookup | None = None,
    backend: BankTransferBackend | None = None,
) -> ExpectationView:
    """The order's transfer instructions, stored once with its payer reference and due date."""
    backend = backend or bank_transfer_backend()
    async with write_transaction():
        order = await order_row(ctx, order_id)
        existing = await _expectation(ctx, order_id)
        if existing is not None:
            return _expectation_view(existing)
        if order["payment_method"] != ADAPTER:
            raise _refuse("order_id", "payments.instructions.not_bank_transfer")
        state = OrderState(order["state"])
        if state not in (OrderState.DRAFT, OrderState.AWAITING_PAYMENT):
            raise _refuse("order_id", "payments.instructions.not_awaiting_payment")
        received, _ = await received_for_order(ctx, order_id)
        due = order["total"] - received
        request = PaymentRequest("order", order_id, due, order["customer_id"] or 0)
        try:
            instructions = backend(account).instructions(ctx, request)
        except (KeyError, ValueError):
            raise _refuse("account", "payments.instructions.account_incomplete") from None
        inserted = await (
            TransferExpectation.insert(
                TransferExpectation(
                    tenant_id=ctx.tenant.id,
                    order_id=order_id,
                    customer_id=order["customer_id"],
                    payer_reference=instructions.payer_reference,
                    amount=due,
                    due_date=instructions.due_date,
                    instructions=instructions.as_dict(),
                    created_at=ctx.clock.now(),
                )
            )
            .on_conflict(action="DO NOTHING")
            .returning(TransferExpectation.id)
            .run()
        )
        if not inserted:  # another open order of this tenant holds the same reference
            raise _refuse("order_id", "payments.instructions.reference_taken")
        if state is OrderState.DRAFT:
            await transition(ctx, order_id, OrderState.AWAITING_PAYMENT, "transfer instructions")
        data = instructions.as_dict()
        mail = await recipient_fields(ctx, recipients, order["customer_id"])
        await outbox.record(
            ctx,
            "order",
            order_id,
            "payment.instructions_issued",
            {
                **mail,
                "order_id": order_id,
                "order_number": order["number"] or str(order_id),
                "customer_id": order["customer_id"],
                "amount": due,
                "due_date": mail_day(instructions.due_date, mail_language(ctx, mail)),
                "due_on": data["due_date"],
                "payer_reference": instructions.payer_reference,
                "bank_account": {
                    "bank_code": data["bank_code"],
                    "branch_code": data["branch_code"],
                    "bank_name": data["bank_name"],
                    "branch_name": data["branch_name"],
                    "account_type": data["account_type_ja"],
                    "account_number": data["account_number"],
                    "account_holder": data["holder_kana"],
                },
                "transfer_name": instructions.remitter_name_hint,
            },
        )
        row = await _expectation(ctx, order_id)
    assert row is not None
    return _expectation_view(row)


async def open_payments(ctx: Context) -> list[OpenPayment]:
    """Every bank-transfer expectation whose order still awaits payment, with what is due."""
    rows = await (
        TransferExpectation.select()
        .where(TransferExpectation.tenant_id == ctx.tenant.id)
        .order_by(TransferExpectation.order_id)
        .run()
    )
    found = []
    for row in rows:
        order = await order_row(ctx, row["order_id"])
        if order["state"] != OrderState.AWAITING_PAYMENT.value:
            continue
        received, _ = await received_for_order(ctx, row["order_id"])
        found.append(
            OpenPayment(
                payable_type="order",
                payable_id=row["order_id"],
                customer_id=row["customer_id"] or 0,
                amount_due=max(order["total"] - received, 0),
                payer_reference=row["payer_reference"],
                virtual_account=row["virtual_account"],
            )
        )
    others = await (
        PayableExpectation.select()
        .where((PayableExpectation.tenant_id == ctx.tenant.id) & (PayableExpectation.state == OPEN))
        .order_by(PayableExpectation.id)
        .run()
    )
    found += [
        OpenPayment(
            payable_type=row["payable_type"],
            payable_id=row["payable_id"],
            customer_id=row["customer_id"],
            amount_due=row["amount"],
            payer_reference=row["payer_reference"],
        )
        for row in others
    ]
    return found


def _line_status(line: BankLineRecord) -> str:
    if not line.credit:
        return "ignored"
    return "cancellation" if line.cancelled else "new"


async def import_zengin(
    ctx: Context,
    data: bytes,
    recipients: RecipientLookup | None = None,
    backend: BankTransferBackend | None = None,
) -> ImportResult:
    """Import a Zengin file once (see the module docstring); the actor is ``ctx.actor``."""
    backend = backend or bank_transfer_backend()
    try:
        parsed = backend.parse_statement(data, local_date(ctx.clock))
    except BankFileRefused as exc:
        raise _refuse(
            "file",
            "payments.bank_file.refused",
            check=exc.check,
            record=exc.record,
            problem=exc.problem,
        ) from None
    async with write_transaction():
        inserted = await (
            BankFile.insert(
                BankFile(
                    tenant_id=ctx.tenant.id,
                    fingerprint=parsed.fingerprint,
                    kind=parsed.kind,
                    created_on=parsed.created_on,
                    line_count=len(parsed.lines),
                    imported_by=actor_ref(ctx.actor),
                    imported_at=ctx.clock.now(),
                )
            )
            .on_conflict(target=(BankFile.tenant_id, BankFile.fingerprint), action="DO NOTHING")
            .returning(BankFile.id)
            .run()
        )
        if not inserted:
            return await _previous_import(ctx, parsed.fingerprint)
        file_id = inserted[0]["id"]
        fresh: dict[str, tuple[int, BankLineRecord]] = {}
        for line in parsed.lines:
            line_id = await _insert_line(ctx, file_id, line)
            if line_id is not None:
                fresh[line.fingerprint] = (line_id, line)
        result = backend.match([line for _, line in fresh.values()], await open_payments(ctx))
        payments: list[AppliedPayment] = []
        paid_orders: dict[str, list[int]] = {}
        for allocation in result.allocations:
            payments.append(
                await apply_outcome(ctx, allocation.outcome(), ADAPTER, recipients=recipients)
            )
            if allocation.payable_type == "order":
                paid_orders.setdefault(allocation.line.fingerprint, []).append(
                    allocation.payable_id
                )
            else:
                paid_orders.setdefault(allocation.line.fingerprint, [])
                await _settle(ctx, allocation.payable_type, allocation.payable_id)
        for fingerprint, order_ids in paid_orders.items():
            await _set_line(ctx, fresh[fingerprint][0], "matched", order_ids=order_ids)
        for item in result.unmatched:
            status = "cancellation" if item.reason == "cancellation" else "unmatched"
            await _set_line(ctx, fresh[item.line.fingerprint][0], status, reason=item.reason)
        await BankFile.update({BankFile.new_lines: len(fresh)}).where(BankFile.id == file_id).run()
    return ImportResult(
        file_id=file_id,
        changed=True,
        kind=parsed.kind,
        lines=len(parsed.lines),
        new_lines=len(fresh),
        matched=len(paid_orders),
        unmatched=sum(1 for item in result.unmatched if item.reason != "cancellation"),
        payments=tuple(payments),
    )


async def _previous_import(ctx: Context, fingerprint: str) -> ImportResult:
    row = await (
        BankFile.select()
        .where((BankFile.tenant_id == ctx.tenant.id) & (BankFile.fingerprint == fingerprint))
        .first()
        .run()
    )
    assert row is not None
    return ImportResult(
        file_id=row["id"],
        changed=False,
        kind=row["kind"],
        lines=row["line_count"],
        new_lines=0,
        matched=0,
        unmatched=0,
        payments=(),
    )


async def _insert_line(ctx: Context, file_id: int, line: BankLineRecord) -> int | None:
    inserted = await (
        BankLine.insert(
            BankLine(
                tenant_id=ctx.tenant.id,
                file_id=file_id,
                fingerprint=line.fingerprint,
                record_number=line.record_number,
                bank_code=line.account.bank_code,
                branch_code=line.account.branch_code,
                account_number=line.account.account_number,
                inquiry_number=line.inquiry_number,
                account_date=line.account_date,
                amount=line.amount,
                payer_name=line.payer_name,
                status=_line_status(line),
                order_ids=[],
            )
        )
        .on_conflict(target=(BankLine.tenant_id, BankLine.fingerprint), action="DO NOTHING")
        .returning(BankLine.id)
        .run()
    )
    if not inserted or not line.credit:
        return None  # seen before (another file had it), or a withdrawal: nothing to match
    return inserted[0]["id"]


async def _set_line(
    ctx: Context, line_id: int, status: str, reason: str = "", order_ids: list[int] | None = None
) -> None:
    await (
        BankLine.update(
            {BankLine.status: status, BankLine.reason: reason, BankLine.order_ids: order_ids or []}
        )
        .where((BankLine.id == line_id) & (BankLine.tenant_id == ctx.tenant.id))
        .run()
    )


def _unmatched_view(row: dict[str, Any]) -> UnmatchedLine:
    return UnmatchedLine(
        id=row["id"],
        file_id=row["file_id"],
        record_number=row["record_number"],
        account_number=row["account_number"],
        inquiry_number=row["inquiry_number"],
        account_date=row["account_date"],
        amount=row["amount"],
        payer_name=row["payer_name"],
        reason=row["reason"],
    )


async def list_unmatched(ctx: Context) -> list[UnmatchedLine]:
    """The finance queue: lines nobody matched, and a notice's cancellation records."""
    rows = await (
        BankLine.select()
        .where(
            (BankLine.tenant_id == ctx.tenant.id)
            & BankLine.status.is_in(["unmatched", "cancellation"])
        )
        .order_by(BankLine.id)
        .run()
    )
    return [_unmatched_view(row) for row in rows]


async def resolve_unmatched(
    ctx: Context, line_id: int, order_id: int, recipients: RecipientLookup | None = None
) -> AppliedPayment:
    """Finance staff assign an unmatched line to an order of the tenant: applied once."""
    async with write_transaction():
        line = await (
            BankLine.select()
            .where((BankLine.id == line_id) & (BankLine.tenant_id == ctx.tenant.id))
            .first()
            .run()
        )
        if line is None:
            raise NotFound("payments.bank_line.not_found", line_id)
        order = await order_row(ctx, order_id)
        if line["status"] == "cancellation":
            raise _refuse("line_id", "payments.bank_line.cancellation")
        if line["status"] != "unmatched":
            raise _refuse("line_id", "payments.bank_line.already_resolved")
        if order["state"] != OrderState.AWAITING_PAYMENT.value:
            raise _refuse("order_id", "payments.resolve.order_not_awaiting_payment")
        changed = await (
            BankLine.update(
                {
                    BankLine.status: "resolved",
                    BankLine.order_ids: [order_id],
                    BankLine.resolved_by: actor_ref(ctx.actor),
                    BankLine.resolved_at: ctx.clock.now(),
                }
            )
            .where(
                (BankLine.id == line_id)
                & (BankLine.tenant_id == ctx.tenant.id)
                & (BankLine.status == "unmatched")
            )
            .returning(BankLine.id)
            .run()
        )
        if not changed:
            raise _refuse("line_id", "payments.bank_line.already_resolved")
        outcome = PaymentOutcome(
            # the matcher's reference format (rule "manual"): zengin:<fp>:<type>:<id>
            state=PaymentState.SUCCEEDED,
            reference=f"zengin:{line['fingerprint'][:32]}:order:{order_id}",
            payable_type="order",
            payable_id=order_id,
            amount=line["amount"],
        )
        return await apply_outcome(ctx, outcome, ADAPTER, recipients=recipients)


# --- payables other than orders (a wallet top-up) --------------------------------------------


@dataclass(frozen=True)
class PayableExpectationView:
    payable_type: str
    payable_id: int
    payer_reference: str
    amount: int
    due_date: date
    instructions: dict[str, Any]
    state: str


def _payable_view(row: dict[str, Any]) -> PayableExpectationView:
    return PayableExpectationView(
        payable_type=row["payable_type"],
        payable_id=row["payable_id"],
        payer_reference=row["payer_reference"],
        amount=row["amount"],
        due_date=row["due_date"],
        instructions=row["instructions"],
        state=row["state"],
    )


def _payable_where(ctx: Context, payable_type: str, payable_id: int) -> Any:
    return (
        (PayableExpectation.tenant_id == ctx.tenant.id)
        & (PayableExpectation.payable_type == payable_type)
        & (PayableExpectation.payable_id == payable_id)
        & (PayableExpectation.state == OPEN)
    )


async def payable_expectation(
    ctx: Context, payable_type: str, payable_id: int
) -> PayableExpectationView | None:
    """The open transfer expectation of a payable other than an order, if any."""
    row = await (
        PayableExpectation.select()
        .where(_payable_where(ctx, payable_type, payable_id))
        .first()
        .output(load_json=True)
        .run()
    )
    return _payable_view(row) if row is not None else None


async def expect_transfer(
    ctx: Context,
    request: PaymentRequest,
    account: PluginAccount,
    backend: BankTransferBackend | None = None,
) -> PayableExpectationView:
    """Await a bank transfer for ``request`` (a payable other than an order): its instructions,
    stored open until an imported line pays it. One open expectation per payable: asking
    again replaces its amount and due date (the payer reference stays the same)."""
    if request.payable_type == "order":
        raise ValueError("orders use issue_transfer_instructions")
    if request.amount <= 0:
        raise _refuse("amount", "payments.transfer.amount_invalid")
    backend = backend or bank_transfer_backend()
    try:
        instructions = backend(account).instructions(ctx, request)
    except (KeyError, ValueError):
        raise _refuse("account", "payments.instructions.account_incomplete") from None
    values = {
        "amount": request.amount,
        "due_date": instructions.due_date,
        "instructions": instructions.as_dict(),
    }
    async with write_transaction():
        existing = await payable_expectation(ctx, request.payable_type, request.payable_id)
        if existing is not None:
            await (
                PayableExpectation.update(
                    {getattr(PayableExpectation, k): v for k, v in values.items()}
                )
                .where(_payable_where(ctx, request.payable_type, request.payable_id))
                .run()
            )
        else:
            await PayableExpectation.insert(
                PayableExpectation(
                    tenant_id=ctx.tenant.id,
                    payable_type=request.payable_type,
                    payable_id=request.payable_id,
                    customer_id=request.customer_id,
                    payer_reference=instructions.payer_reference,
                    state=OPEN,
                    created_at=ctx.clock.now(),
                    **values,
                )
            ).run()
    found = await payable_expectation(ctx, request.payable_type, request.payable_id)
    assert found is not None
    return found


async def _settle(ctx: Context, payable_type: str, payable_id: int) -> None:
    await (
        PayableExpectation.update(
            {PayableExpectation.state: SETTLED, PayableExpectation.settled_at: ctx.clock.now()}
        )
        .where(_payable_where(ctx, payable_type, payable_id))
        .run()
    )
