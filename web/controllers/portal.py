"""The customer portal: who is signed in, their orders and their invoices.

Every page first finds the signed-in customer login (``signed_in``), then the customer company
it belongs to, and every query filters by the request's tenant **and** that customer's id:
another customer's order or invoice, of the same tenant or another, answers the same 404 page
as an id that does not exist.

An order belongs to a customer through ``customer_id``. An invoice has no customer column: it
belongs to the customer of the order it bills (``source_type == "order"``); invoices of other
sources (a tenant's DigiCert voucher orders) are billed to the tenant and never shown here.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get
from litestar.params import FromPath

from core.billing.errors import InvoiceNotFound
from core.billing.invoices import get_invoice
from core.billing.tables import Invoice
from core.context import Actor, ActorKind, Context, TenantRef
from core.errors import NotFound
from core.i18n import format_yen
from core.messaging.branding import load_logo
from core.orders.states import OrderState
from core.orders.tables import Order
from core.orders.views import OrderView, get_order, list_orders
from core.payments.ledger import order_payment
from tenants.tables import Customer, CustomerUser
from web.controllers.auth import signed_in, web_state
from web.pages import SECURITY_HEADERS, render, request_tenant, translator
from web.sessions import Area, SessionView

if TYPE_CHECKING:
    from core.billing.models import InvoiceView
    from core.billing.pdf import InvoicePdfRenderer

ORDER_SOURCE = "order"
"""The invoice source type of an order's invoice (``invoice:order:<id>``)."""


@dataclass(frozen=True)
class SignedInCustomer:
    """The signed-in person, their company, and the context services are called with."""

    ctx: Context
    customer_id: int
    person: dict[str, Any]
    company: str


Found = SignedInCustomer | Response[Any]


async def portal_customer(request: Request[Any, Any, Any]) -> Found:
    """The signed-in customer of this tenant, or the response to send instead (the sign-in
    page, or a 404 when the login no longer belongs to a customer of this tenant)."""
    found = await signed_in(request, Area.PORTAL)
    if not isinstance(found, SessionView):
        return found
    tenant = request_tenant(request)
    if tenant is None:  # the portal router always resolves a tenant; be safe
        return portal_not_found(request)
    rows = await CustomerUser.select(
        CustomerUser.display_name, CustomerUser.email, CustomerUser.customer
    ).where((CustomerUser.id == found.account_id) & (CustomerUser.tenant == tenant.id))
    if not rows:
        return portal_not_found(request)
    person = rows[0]
    companies = await Customer.select(Customer.organization_name).where(
        (Customer.id == person["customer"]) & (Customer.tenant == tenant.id)
    )
    actor = Actor(ActorKind.CUSTOMER, str(found.account_id), person["display_name"])
    ctx = Context(tenant=tenant, actor=actor, clock=web_state(request).clock)
    return SignedInCustomer(
        ctx=ctx,
        customer_id=person["customer"],
        person=person,
        company=companies[0]["organization_name"] if companies else "",
    )


def portal_not_found(request: Request[Any, Any, Any]) -> Response[str]:
    """The one answer for a missing object and for another customer's."""
    return render(request, "pages/auth/message.html", status=404, kind="portal.not_found")


def portal_page(
    request: Request[Any, Any, Any], me: SignedInCustomer, template: str, **context: Any
) -> Response[str]:
    return render(
        request,
        template,
        area=Area.PORTAL.value,
        person=me.person,
        company=me.company,
        notice=request.query_params.get("notice", ""),
        **context,
    )


def portal_day(value: date | datetime, tenant: TenantRef, language: str) -> str:
    """2026/11/22 in Japanese, 2026-11-22 in English; a moment in the tenant's time zone."""
    if isinstance(value, datetime):
        value = value.astimezone(ZoneInfo(tenant.time_zone)).date()
    return value.strftime("%Y/%m/%d" if language == "ja" else "%Y-%m-%d")


async def customer_order(me: SignedInCustomer, order_id: int) -> OrderView | None:
    """The order when it is this tenant's and this customer's, else None."""
    owned = await (
        Order.select(Order.id)
        .where(
            (Order.id == order_id)
            & (Order.tenant_id == me.ctx.tenant.id)
            & (Order.customer_id == me.customer_id)
        )
        .first()
        .run()
    )
    if owned is None:
        return None
    try:
        return await get_order(me.ctx, order_id)
    except NotFound:
        return None


async def _order_numbers(me: SignedInCustomer) -> dict[str, str]:
    """This customer's order ids (as invoices store their source id) -> order numbers."""
    rows = await (
        Order.select(Order.id, Order.number)
        .where((Order.tenant_id == me.ctx.tenant.id) & (Order.customer_id == me.customer_id))
        .run()
    )
    return {str(row["id"]): row["number"] or str(row["id"]) for row in rows}


async def _order_ids(me: SignedInCustomer) -> list[str]:
    """This customer's order ids, as invoices store their source id."""
    return list(await _order_numbers(me))


async def _invoice_rows(
    me: SignedInCustomer, invoice_id: int | None = None
) -> list[dict[str, Any]]:
    """Invoice headers of this tenant that bill this customer's orders, newest first."""
    order_ids = await _order_ids(me)
    if not order_ids:
        return []
    where = (
        (Invoice.tenant_id == me.ctx.tenant.id)
        & (Invoice.source_type == ORDER_SOURCE)
        & (Invoice.source_id.is_in(order_ids))
    )
    if invoice_id is not None:
        where = where & (Invoice.id == invoice_id)
    return await (
        Invoice.select(
            Invoice.id, Invoice.number, Invoice.status, Invoice.issue_date, Invoice.due_date,
            Invoice.grand_total, Invoice.source_id,
        )
        .where(where)
        .order_by(Invoice.seq, ascending=False)
        .run()
    )  # fmt: skip


def order_payment_status(state: OrderState, confirmed: bool, received: int) -> str:
    """What the customer sees about payment (``payments.status.*``), or "" when nothing is due
    any more (cancelled, failed, refunded: the state says it)."""
    if confirmed:
        return "confirmed"
    if state is OrderState.AWAITING_PAYMENT:
        return "partial" if received else "awaiting"
    if state is OrderState.DRAFT:
        return "not_due"
    return ""


class _Renderer:
    """One invoice PDF renderer per process, rendering one document at a time in a thread."""

    def __init__(self) -> None:
        from core.billing.pdf import InvoicePdfRenderer  # WeasyPrint loads on first PDF only

        self.renderer: InvoicePdfRenderer = InvoicePdfRenderer()
        self.lock = threading.Lock()

    def pdf(self, invoice: InvoiceView, language: str, time_zone: str, logo: str = "") -> bytes:
        with self.lock:  # the font configuration is shared
            return self.renderer.pdf(invoice, language, time_zone, logo)


@cache
def _renderer() -> _Renderer:
    return _Renderer()


def render_invoice_pdf(
    invoice: InvoiceView, language: str, time_zone: str, logo: str = ""
) -> bytes:
    """Runs in a worker thread: the first call also builds the renderer (fonts, CSS)."""
    return _renderer().pdf(invoice, language, time_zone, logo)


class PortalController(Controller):
    path = "/portal"
    include_in_schema = False

    @get("/")
    async def home(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await portal_customer(request)
        if not isinstance(me, SignedInCustomer):
            return me
        return portal_page(request, me, "pages/portal/home.html")

    @get("/orders")
    async def orders(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await portal_customer(request)
        if not isinstance(me, SignedInCustomer):
            return me
        lang = translator(request).language
        found = await list_orders(me.ctx, me.customer_id)
        rows = [
            {
                "id": order.id,
                "number": order.number,
                "date": portal_day(order.created_at, me.ctx.tenant, lang),
                "state": order.state.value,
                "total": format_yen(order.total, lang),
            }
            for order in sorted(found, key=lambda order: order.id, reverse=True)
            if order.customer_id == me.customer_id
        ]
        return portal_page(request, me, "pages/portal/orders.html", orders=rows)

    @get("/orders/{order_id:int}")
    async def order(
        self, request: Request[Any, Any, Any], order_id: FromPath[int]
    ) -> Response[Any]:
        me = await portal_customer(request)
        if not isinstance(me, SignedInCustomer):
            return me
        order = await customer_order(me, order_id)
        if order is None:
            return portal_not_found(request)
        lang = translator(request).language
        payment = await order_payment(me.ctx, order.id)
        status = order_payment_status(order.state, payment.confirmed, payment.received)
        invoices = [row for row in await _invoice_rows(me) if row["source_id"] == str(order.id)]

        def yen(amount: int) -> str:
            return format_yen(amount, lang)

        return portal_page(
            request,
            me,
            "pages/portal/order.html",
            order=order,
            date=portal_day(order.created_at, me.ctx.tenant, lang),
            lines=[
                {
                    "name": line.name_ja if lang == "ja" else line.name_en,
                    "quantity": line.quantity,
                    "years": line.term_months // 12 if line.term_months % 12 == 0 else None,
                    "months": line.term_months,
                    "fqdns": line.fqdns,
                    "wildcards": line.wildcards,
                    "unit_price": yen(line.unit_price),
                    "amount": yen(line.amount),
                    "tax_rate": line.tax_rate,
                }
                for line in order.lines
            ],
            tax_totals=[
                {"rate": t["rate"], "taxable": yen(t["taxable"]), "tax": yen(t["tax"])}
                for t in order.tax_totals
            ],
            subtotal=yen(order.subtotal),
            tax=yen(order.tax),
            total=yen(order.total),
            payment_status=status,
            received=yen(payment.received),
            remaining_due=yen(payment.remaining_due),
            invoices=[{"id": row["id"], "number": row["number"]} for row in invoices],
        )

    @get("/invoices")
    async def invoices(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await portal_customer(request)
        if not isinstance(me, SignedInCustomer):
            return me
        lang = translator(request).language
        numbers = await _order_numbers(me)
        rows = [
            {
                "id": row["id"],
                "number": row["number"],
                "status": row["status"],
                "order_id": row["source_id"],
                "order_number": numbers.get(row["source_id"], row["source_id"]),
                "issue_date": portal_day(row["issue_date"], me.ctx.tenant, lang),
                "due_date": portal_day(row["due_date"], me.ctx.tenant, lang),
                "total": format_yen(row["grand_total"], lang),
            }
            for row in await _invoice_rows(me)
        ]
        return portal_page(request, me, "pages/portal/invoices.html", invoices=rows)

    @get("/invoices/{invoice_id:int}/pdf")
    async def invoice_pdf(
        self, request: Request[Any, Any, Any], invoice_id: FromPath[int]
    ) -> Response[Any]:
        me = await portal_customer(request)
        if not isinstance(me, SignedInCustomer):
            return me
        if not await _invoice_rows(me, invoice_id):
            return portal_not_found(request)
        try:
            invoice = await get_invoice(me.ctx, invoice_id)
        except InvoiceNotFound:
            return portal_not_found(request)
        language = translator(request).language
        body = await asyncio.to_thread(
            render_invoice_pdf, invoice, language, me.ctx.tenant.time_zone, await load_logo(me.ctx)
        )
        return Response(
            body,
            media_type="application/pdf",
            headers={
                **SECURITY_HEADERS,
                "content-disposition": f'inline; filename="{invoice.number}.pdf"',
            },
        )
