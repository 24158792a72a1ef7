"""Invoice services: issue, read, pay, void. Each takes a Context first and stays in its tenant.

One call is one transaction: the invoice row, its lines, the counter increment and the outbox
event commit together or not at all (a caller's open transaction is joined, not nested).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from core import outbox
from core.billing.draft_checks import draft_errors
from core.billing.errors import IdempotencyKeyReused, InvoiceNotFound
from core.billing.models import InvoiceDraft, InvoiceView
from core.billing.numbering import format_number, give_back_seq, take_seq
from core.billing.status import InvoiceStatus, check_transition
from core.billing.tables import Invoice, InvoiceLine
from core.billing.terms import due_date
from core.billing.views import invoice_view
from core.clock import local_date
from core.context import Actor, Context
from core.db import write_transaction
from core.errors import FieldError, ValidationFailed
from core.money import grand_total, tax_totals


def actor_label(actor: Actor) -> str:
    """The name printed for who did something (``display_name``, else the id)."""
    return actor.display_name or actor.id


def actor_ref(actor: Actor) -> str:
    """``kind:id`` for the record, with the operator when one acted on the tenant's behalf."""
    ref = f"{actor.kind.value}:{actor.id}"
    return f"{ref} on_behalf_of:{actor.on_behalf_of}" if actor.on_behalf_of else ref


def invoice_key(ctx: Context, draft: InvoiceDraft) -> str:
    """The creation's idempotency key: the context's, else one invoice per source."""
    return ctx.idempotency_key or f"invoice:{draft.source_type}:{draft.source_id}"


async def create_invoice(ctx: Context, draft: InvoiceDraft) -> InvoiceView:
    """Issue the invoice of ``draft``; the same key again returns the invoice it already made."""
    errors = draft_errors(draft)
    if errors:
        raise ValidationFailed(errors)
    key = invoice_key(ctx, draft)
    existing = await _by_key(ctx, key)
    if existing is None:
        async with write_transaction():
            seq = await take_seq(ctx.tenant.id)  # from here on, this tenant's creations wait
            existing = await _by_key(ctx, key)
            if existing is not None:
                await give_back_seq(ctx.tenant.id)
            else:
                invoice_id = await _insert(ctx, draft, key, seq)
    if existing is not None:
        source = (draft.source_type, str(draft.source_id))
        if (existing["source_type"], existing["source_id"]) != source:
            raise IdempotencyKeyReused(key)
        invoice_id = existing["id"]
    return await get_invoice(ctx, invoice_id)


async def get_invoice(ctx: Context, invoice_id: int) -> InvoiceView:
    """The invoice ``invoice_id`` of the context's tenant; another tenant's is not found."""
    row = await _row(ctx, invoice_id)
    lines = await (
        InvoiceLine.select()
        .where((InvoiceLine.tenant_id == ctx.tenant.id) & (InvoiceLine.invoice == invoice_id))
        .run()
    )
    return invoice_view(row, lines)


async def list_invoices(ctx: Context, status: InvoiceStatus | None = None) -> list[dict[str, Any]]:
    """The tenant's invoices, newest number first (header fields only)."""
    query = Invoice.select(
        Invoice.id, Invoice.number, Invoice.status, Invoice.issue_date, Invoice.due_date,
        Invoice.grand_total, Invoice.source_type, Invoice.source_id,
    ).where(Invoice.tenant_id == ctx.tenant.id)  # fmt: skip
    if status is not None:
        query = query.where(Invoice.status == status.value)
    return await query.order_by(Invoice.seq, ascending=False).run()


async def mark_paid(ctx: Context, invoice_id: int, reference: str = "") -> InvoiceView:
    """open -> paid; a void or already paid invoice is refused with ``InvoiceStateError``."""
    values = {
        Invoice.status: InvoiceStatus.PAID.value,
        Invoice.paid_at: ctx.clock.now(),
        Invoice.paid_by: actor_ref(ctx.actor),
        Invoice.payment_reference: reference,
    }
    async with write_transaction():
        row = await _transition(ctx, invoice_id, InvoiceStatus.PAID, values)
        await outbox.record(
            ctx, "invoice", invoice_id, "invoice.paid",
            {"invoice_id": invoice_id, "number": row["number"], "reference": reference},
        )  # fmt: skip
    return await get_invoice(ctx, invoice_id)


async def void_invoice(ctx: Context, invoice_id: int, reason: str) -> InvoiceView:
    """open -> void, recording who (the actor), when (the clock) and why; the number is kept."""
    if not reason.strip():
        raise ValidationFailed([FieldError("reason", "billing.void.reason_required")])
    values = {
        Invoice.status: InvoiceStatus.VOID.value,
        Invoice.voided_at: ctx.clock.now(),
        Invoice.voided_by: actor_label(ctx.actor),
        Invoice.voided_by_actor: actor_ref(ctx.actor),
        Invoice.void_reason: reason.strip(),
    }
    async with write_transaction():
        row = await _transition(ctx, invoice_id, InvoiceStatus.VOID, values)
        await outbox.record(
            ctx, "invoice", invoice_id, "invoice.voided",
            {"invoice_id": invoice_id, "number": row["number"], "reason": reason.strip(),
             "voided_by": actor_ref(ctx.actor)},
        )  # fmt: skip
    return await get_invoice(ctx, invoice_id)


async def _transition(
    ctx: Context, invoice_id: int, target: InvoiceStatus, values: dict[Any, Any]
) -> dict[str, Any]:
    """Check and apply one status change by a conditional update (a racing change loses)."""
    row = await _row(ctx, invoice_id)
    check_transition(row["number"], row["status"], target)
    changed = (
        await Invoice.update(values)
        .where(
            (Invoice.id == invoice_id)
            & (Invoice.tenant_id == ctx.tenant.id)
            & (Invoice.status == row["status"])
        )
        .returning(Invoice.id)
        .run()
    )
    if not changed:  # someone changed it between our read and our update: judge again
        row = await _row(ctx, invoice_id)
        check_transition(row["number"], row["status"], target)
    return row


async def _row(ctx: Context, invoice_id: int) -> dict[str, Any]:
    row = await (
        Invoice.select()
        .where((Invoice.id == invoice_id) & (Invoice.tenant_id == ctx.tenant.id))
        .output(load_json=True)
        .first()
        .run()
    )
    if row is None:
        raise InvoiceNotFound(invoice_id)
    return row


async def _by_key(ctx: Context, key: str) -> dict[str, Any] | None:
    return await (
        Invoice.select(Invoice.id, Invoice.source_type, Invoice.source_id)
        .where((Invoice.tenant_id == ctx.tenant.id) & (Invoice.idempotency_key == key))
        .first()
        .run()
    )


async def _insert(ctx: Context, draft: InvoiceDraft, key: str, seq: int) -> int:
    issue_date: date = draft.issue_date or local_date(ctx.clock, ZoneInfo(ctx.tenant.time_zone))
    totals = tax_totals(((line.amount, line.tax_rate) for line in draft.lines), draft.rounding)
    number = format_number(seq)
    inserted = await Invoice.insert(
        Invoice(
            tenant_id=ctx.tenant.id,
            seq=seq,
            number=number,
            idempotency_key=key,
            status=InvoiceStatus.OPEN.value,
            contract_type=draft.contract_type.value,
            source_type=draft.source_type,
            source_id=str(draft.source_id),
            reference_kind=draft.reference_kind,
            reference_number=draft.reference_number or "N.A",
            issue_date=issue_date,
            payment_term=draft.term.value,
            due_date=due_date(issue_date, draft.term),
            language=draft.language,
            issuer=asdict(draft.issuer),
            recipient=asdict(draft.recipient),
            bank_account=asdict(draft.bank_account),
            rounding=draft.rounding.value,
            tax_totals=[asdict(t) for t in totals],
            subtotal=sum(t.taxable for t in totals),
            tax_amount=sum(t.tax for t in totals),
            grand_total=grand_total(totals),
            created_at=ctx.clock.now(),
            created_by=actor_ref(ctx.actor),
        )
    ).run()
    invoice_id = int(inserted[0]["id"])
    await InvoiceLine.insert(
        *(
            InvoiceLine(
                tenant_id=ctx.tenant.id,
                invoice=invoice_id,
                position=n,
                service_code=line.service_code,
                item=line.item,
                order_number=line.order_number or "N.A",
                quantity=line.quantity,
                unit_price=line.unit_price,
                amount=line.amount,
                tax_rate=line.tax_rate,
            )
            for n, line in enumerate(draft.lines, start=1)
        )
    ).run()
    await outbox.record(
        ctx, "invoice", invoice_id, "invoice.issued",
        {"invoice_id": invoice_id, "number": number, "grand_total": grand_total(totals),
         "source_type": draft.source_type, "source_id": str(draft.source_id)},
    )  # fmt: skip
    return invoice_id
