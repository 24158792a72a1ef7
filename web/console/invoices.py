"""Console invoices: the tenant's invoices (list, CSV), one invoice, its PDF, and voiding an
open invoice with a reason (``core.billing.invoices.void_invoice``: who, when and why are
recorded and printed on the PDF; the number is kept)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from core.billing.errors import InvoiceNotFound, InvoiceStateError
from core.billing.invoices import get_invoice, void_invoice
from core.billing.models import NOT_AVAILABLE
from core.billing.status import InvoiceStatus
from core.billing.tables import Invoice
from core.errors import FieldError, ValidationFailed
from core.messaging.branding import load_logo
from tenants.roles import Permission
from web.console.access import SignedInStaff, not_found, staff
from web.console.confirm import Confirmation, confirm_page, confirmed
from web.console.forms import form_text
from web.console.listing import Column, Filter, ListSpec, formatter, list_response
from web.console.pages import page
from web.controllers.auth import by_field
from web.controllers.portal import render_invoice_pdf as invoice_pdf
from web.pages import SECURITY_HEADERS

STATUS_LABEL = "web.portal.invoice_status."
REASON_MAX = 500


def recipient_name(row: dict[str, Any], fmt: Any = None) -> str:
    recipient = row.get("recipient") or {}
    if isinstance(recipient, str):
        recipient = json.loads(recipient)
    return str(recipient.get("organization_name", ""))


SOURCE_LINKS = {"order": "/console/orders/{id}", "digicert_voucher_order": "/console/vouchers/{id}"}
"""Console pages of the things an invoice bills, by ``source_type``."""
NAMED_SOURCES = ("digicert_voucher_order", "digicert_direct_order", "direct_debit_plan")


def source_text(fmt: Any, source_type: str, source_id: str, reference_number: str) -> str:
    """What an invoice bills, as people name it: an order, or a DigiCert voucher order or
    direct order by DigiCert's order number (``reference_number``), a month of the bulk
    contract; never a table id or a type code."""
    if source_type == "order":
        return str(fmt._("web.console.invoices.source_order", id=source_id))
    if source_type == "digicert_ongoing" and source_id.lstrip("-").isdigit():
        month = source_id.lstrip("-")
        return str(
            fmt._("web.console.invoices.source.digicert_ongoing", month=f"{month[:4]}/{month[4:]}")
        )
    number = "" if reference_number in ("", NOT_AVAILABLE) else reference_number
    kind = source_type if source_type in NAMED_SOURCES else "other"
    return str(fmt._(f"web.console.invoices.source.{kind}", number=number))


def source_link(source_type: str, source_id: str) -> str:
    return SOURCE_LINKS.get(source_type, "").format(id=source_id)


def _source(row: dict[str, Any], fmt: Any) -> str:
    return source_text(fmt, row["source_type"], str(row["source_id"]), row["reference_number"])


INVOICES = ListSpec(
    name="invoices",
    table=Invoice,
    columns=(
        Column(
            "number",
            "web.console.invoices.number",
            sortable=True,
            link=lambda row: f"/console/invoices/{row['id']}",
        ),
        Column("issue_date", "web.console.invoices.issue_date", kind="date", sortable=True),
        Column("due_date", "web.console.invoices.due_date", kind="date", sortable=True),
        Column("recipient", "web.console.invoices.recipient", value=recipient_name),
        Column("source_id", "web.console.invoices.source", value=_source),
        Column("status", "web.console.invoices.status", kind="label", label_prefix=STATUS_LABEL),
        Column("grand_total", "web.console.invoices.total", kind="yen", sortable=True),
    ),
    filters=(
        Filter.choice(
            "status",
            Invoice.status,
            "web.console.invoices.status",
            [(s.value, f"{STATUS_LABEL}{s.value}") for s in InvoiceStatus],
        ),
        Filter.contains("q", (Invoice.number, Invoice.reference_number), "web.console.list.search"),
        Filter.date_from("from", Invoice.issue_date, "web.console.list.from"),
        Filter.date_to("to", Invoice.issue_date, "web.console.list.to"),
    ),
    default_sort="-issue_date",
)


async def _invoice_page(
    request: Request[Any, Any, Any],
    me: SignedInStaff,
    invoice_id: int,
    *,
    reason: str = "",
    errors: dict[str, FieldError] | None = None,
    status: int = 200,
) -> Response[Any]:
    try:
        invoice = await get_invoice(me.ctx, invoice_id)
    except InvoiceNotFound:
        return not_found(request)
    fmt = formatter(request, me.ctx)
    return page(
        request,
        me,
        "pages/console/invoice.html",
        status=status,
        section="invoices",
        invoice=invoice,
        source=source_text(fmt, invoice.source_type, invoice.source_id, invoice.reference_number),
        source_url=source_link(invoice.source_type, invoice.source_id),
        issue_date=fmt.day(invoice.issue_date),
        due_date=fmt.day(invoice.due_date),
        paid_at=fmt.moment(invoice.paid_at),
        voided_at=fmt.moment(invoice.voided_at),
        lines=[
            {
                "code": line.service_code,
                "item": line.item,
                "quantity": line.quantity,
                "unit_price": fmt.yen(line.unit_price),
                "amount": fmt.yen(line.amount),
            }
            for line in invoice.lines
        ],
        subtotal=fmt.yen(invoice.subtotal),
        tax=fmt.yen(invoice.tax_amount),
        total=fmt.yen(invoice.grand_total),
        may_void=me.may(Permission.INVOICES_MANAGE) and invoice.status == InvoiceStatus.OPEN,
        reason=reason,
        errors=errors or {},
    )


class ConsoleInvoices(Controller):
    path = "/console/invoices"
    include_in_schema = False

    @get("/")
    async def invoices(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await staff(request, Permission.INVOICES_VIEW)
        if not isinstance(me, SignedInStaff):
            return me
        return await list_response(
            request,
            INVOICES,
            me.ctx,
            lambda listing: page(
                request, me, "pages/console/invoices.html", section="invoices", listing=listing
            ),
        )

    @get("/{invoice_id:int}")
    async def invoice(
        self, request: Request[Any, Any, Any], invoice_id: FromPath[int]
    ) -> Response[Any]:
        me = await staff(request, Permission.INVOICES_VIEW)
        if not isinstance(me, SignedInStaff):
            return me
        return await _invoice_page(request, me, invoice_id)

    @get("/{invoice_id:int}/pdf")
    async def invoice_pdf(
        self, request: Request[Any, Any, Any], invoice_id: FromPath[int]
    ) -> Response[Any]:
        me = await staff(request, Permission.INVOICES_VIEW)
        if not isinstance(me, SignedInStaff):
            return me
        try:
            invoice = await get_invoice(me.ctx, invoice_id)
        except InvoiceNotFound:
            return not_found(request)
        language = formatter(request, me.ctx).language
        logo = await load_logo(me.ctx)
        body = await asyncio.to_thread(
            invoice_pdf, invoice, language, me.ctx.tenant.time_zone, logo
        )
        return Response(
            body,
            media_type="application/pdf",
            headers={
                **SECURITY_HEADERS,
                "content-disposition": f'inline; filename="{invoice.number}.pdf"',
            },
        )

    @post("/{invoice_id:int}/void")
    async def void(
        self, request: Request[Any, Any, Any], invoice_id: FromPath[int]
    ) -> Response[Any]:
        me = await staff(request, Permission.INVOICES_MANAGE)
        if not isinstance(me, SignedInStaff):
            return me
        form = await request.form()
        reason = form_text(form, "reason")
        errors: dict[str, FieldError] = {}
        if len(reason) > REASON_MAX:
            errors["reason"] = FieldError(
                "reason", "web.console.void.too_long", {"max": REASON_MAX}
            )
        elif not reason:
            errors["reason"] = FieldError("reason", "billing.void.reason_required")
        elif not confirmed(form) and await _open_invoice(me, invoice_id):
            invoice = await get_invoice(me.ctx, invoice_id)
            return confirm_page(
                request,
                me,
                Confirmation(
                    section="invoices",
                    what="web.console.confirm.invoice_void",
                    params={"number": invoice.number},
                    action=f"/console/invoices/{invoice_id}/void",
                    back=f"/console/invoices/{invoice_id}",
                    button="web.console.void.submit",
                    fields={"reason": reason},
                ),
            )
        else:
            try:
                await void_invoice(me.ctx, invoice_id, reason)
            except InvoiceNotFound:
                return not_found(request)
            except ValidationFailed as exc:
                errors = by_field(exc.errors)
            except InvoiceStateError as exc:
                errors["reason"] = FieldError("reason", exc.message_id)
        if errors:
            return await _invoice_page(
                request, me, invoice_id, reason=reason, errors=errors, status=422
            )
        return Redirect(f"/console/invoices/{invoice_id}?notice=invoice_voided", status_code=303)


async def _open_invoice(me: SignedInStaff, invoice_id: int) -> bool:
    """The invoice can be voided (else ``void_invoice`` answers why not, or 404)."""
    try:
        return (await get_invoice(me.ctx, invoice_id)).status == InvoiceStatus.OPEN
    except InvoiceNotFound:
        return False
