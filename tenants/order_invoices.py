"""The tenant's invoice to its customer for an order (適格請求書), issued as soon as there is
something to pay or something paid, so the portal offers its PDF at once:

- a bank-transfer order: when its transfer instructions are issued
  (``payment.instructions_issued``), with the account the customer transfers to;
- any other order: when it is paid (``order.paid``), then marked paid at once.

The issuer is the tenant (name, registration number, address, phone), the recipient the
customer with its billing contact (事務担当者), one line per order line with the order's number.
Once per order (``core.billing`` numbers it under the key ``order-invoice:<id>``). An invoice
that cannot be made (the tenant has no valid registration number yet, the customer no postal
code…) is logged and skipped: the order goes on, staff see it has no invoice.
"""

from __future__ import annotations

import logging
from typing import Any

from core.billing.errors import InvoiceStateError
from core.billing.invoices import create_invoice, mark_paid
from core.billing.models import BankAccount, InvoiceDraft, InvoiceView, Issuer, LineDraft
from core.billing.tables import Invoice
from core.billing.terms import PaymentTerm
from core.context import Context
from core.errors import NotFound, ValidationFailed
from core.money import Rounding
from core.orders.lines import PricedLine
from core.orders.views import OrderView, get_order
from core.outbox_relay import Event, Handler
from tenants.invoice_recipients import invoice_recipient
from tenants.tables import Tenant

log = logging.getLogger("shomei.tenants.invoices")
SOURCE = "order"
NO_ACCOUNT = BankAccount("", "", "", "", "")


def line_item(line: PricedLine, language: str) -> str:
    """``Basic OV 1 Year with 2 FQDNs`` / ``ベーシックOV 1年 FQDN 2個``: what the line bought,
    counting the first name (wildcards only when there are some)."""
    years, months = divmod(line.term_months, 12)
    names = line.fqdns + 1
    if language == "ja":
        term = f"{years}年" if not months else f"{line.term_months}か月"
        text = f"{line.name_ja} {term}"
        if line.kind == "product":
            text += f" FQDN {names}個"
            if line.wildcards:
                text += f" ワイルドカード {line.wildcards}個"
        return text
    term = f"{years} Year{'s' if years > 1 else ''}" if not months else f"{line.term_months} Months"
    text = f"{line.name_en} {term}"
    if line.kind == "product":
        text += f" with {names} FQDN{'s' if names > 1 else ''}"
        if line.wildcards:
            text += f" and {line.wildcards} Wildcard{'s' if line.wildcards > 1 else ''}"
    return text


def service_code(line: PricedLine) -> str:
    years, months = divmod(line.term_months, 12)
    return f"{line.product_code} {years}Yr" if not months else f"{line.product_code} {months}Mo"


async def _issuer(ctx: Context) -> tuple[Issuer, dict[str, Any]]:
    row = await Tenant.select().where(Tenant.id == ctx.tenant.id).first().run()
    issuer = Issuer(
        name=row["organization_name"] or row["name"],
        registration_number=row["registration_number"],
        postal_code=row["postal_code"],
        address=f"{row['prefecture']}{row['address']}",
        phone=row["phone"],
        email=row["contact_email"],
    )
    return issuer, row


async def order_invoice_id(ctx: Context, order_id: int) -> int | None:
    row = await (
        Invoice.select(Invoice.id)
        .where(
            (Invoice.tenant_id == ctx.tenant.id)
            & (Invoice.source_type == SOURCE)
            & (Invoice.source_id == str(order_id))
        )
        .first()
        .run()
    )
    return row["id"] if row else None


async def draft_for(ctx: Context, order: OrderView, bank: BankAccount) -> InvoiceDraft | None:
    if order.customer_id is None:
        return None
    issuer, tenant = await _issuer(ctx)
    language = tenant["language"] or "ja"
    lines = tuple(
        LineDraft(
            service_code=service_code(line),
            item=line_item(line, language),
            quantity=line.quantity,
            unit_price=line.unit_price,
            order_number=order.number,
            tax_rate=line.tax_rate,
        )
        for line in order.lines
    )
    term = tenant["default_payment_term"]
    recipient = await invoice_recipient(ctx, order.customer_id)
    if recipient is None:
        return None
    return InvoiceDraft(
        source_type=SOURCE,
        source_id=str(order.id),
        issuer=issuer,
        bank_account=bank,
        recipient=recipient,
        lines=lines,
        term=PaymentTerm(term) if term in {t.value for t in PaymentTerm} else PaymentTerm.NET30,
        reference_kind="order",
        reference_number=order.number,
        rounding=Rounding(order.tax_rounding)
        if order.tax_rounding in {r.value for r in Rounding}
        else Rounding.DOWN,
        language=language,
    )


async def issue_order_invoice(
    ctx: Context, order_id: int, bank: BankAccount = NO_ACCOUNT, paid: str = ""
) -> InvoiceView | None:
    """The order's invoice, issued once (None when it cannot be made; logged). ``paid``: the
    payment's reference, when the order is paid already (the invoice is then marked paid)."""
    try:
        order = await get_order(ctx, order_id)
    except NotFound:
        return None
    draft = await draft_for(ctx, order, bank)
    if draft is None:
        return None
    try:
        invoice = await create_invoice(ctx.with_key(f"order-invoice:{order.id}"), draft)
    except ValidationFailed as refused:
        log.warning(
            "order invoice not issued",
            extra={"order_id": order.id, "fields": [e.field for e in refused.errors]},
        )
        return None
    if paid and invoice.status == "open":
        try:
            invoice = await mark_paid(ctx, invoice.id, paid)
        except InvoiceStateError:  # voided meanwhile: staff decided; leave it
            pass
    return invoice


def _bank(data: Any) -> BankAccount:
    if not isinstance(data, dict):
        return NO_ACCOUNT
    return BankAccount(
        bank_name=str(data.get("bank_name", "")),
        branch_name=str(data.get("branch_name", "")),
        account_type=str(data.get("account_type", "")),
        account_number=str(data.get("account_number", "")),
        account_holder=str(data.get("account_holder", "")),
        branch_code=str(data.get("branch_code", "")),
    )


async def on_instructions_issued(ctx: Context, event: Event) -> None:
    order_id = int(event.payload.get("order_id") or event.aggregate_id)
    await issue_order_invoice(ctx, order_id, _bank(event.payload.get("bank_account")))


async def on_order_paid(ctx: Context, event: Event) -> None:
    order_id = int(event.payload.get("order_id") or event.aggregate_id)
    existing = await order_invoice_id(ctx, order_id)
    if existing is not None:  # a transfer order's invoice: the ledger marked it paid
        return
    await issue_order_invoice(ctx, order_id, paid=f"order {order_id} paid")


def order_invoice_handlers() -> dict[str, list[Handler]]:
    return {
        "payment.instructions_issued": [on_instructions_issued],
        "order.paid": [on_order_paid],
    }
