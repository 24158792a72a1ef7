"""Console orders: the tenant's orders (list, CSV) and one order with its lines and payment."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.params import FromPath

from core.billing.tables import Invoice
from core.errors import NotFound
from core.orders.quote_pdf import quote_number
from core.orders.states import OrderState
from core.orders.tables import Order
from core.orders.views import get_order
from core.payments.ledger import order_payment
from core.payments.transfers import transfer_expectation
from tenants.roles import Permission
from tenants.scoping import scoped
from tenants.tables import Customer
from web.console.access import SignedInStaff, not_found, staff
from web.console.enrich import customer_names
from web.console.lines import line_rows, totals
from web.console.listing import Column, Filter, ListSpec, formatter, list_response
from web.console.pages import page
from web.controllers.portal import order_payment_status as payment_status

STATE_LABEL = "web.portal.order_state."

ORDERS = ListSpec(
    name="orders",
    table=Order,
    columns=(
        Column(
            "number",
            "web.console.orders.number",
            sortable=True,
            link=lambda row: f"/console/orders/{row['id']}",
        ),
        Column("created_at", "web.console.orders.date", kind="datetime", sortable=True),
        Column("customer_name", "web.console.orders.customer"),
        Column(
            "payment_method",
            "web.console.orders.payment_method",
            kind="label",
            label_prefix="web.console.payment_method.",
            sortable=True,
        ),
        Column("state", "web.console.orders.state", kind="label", label_prefix=STATE_LABEL),
        Column("total", "web.console.orders.total", kind="yen", sortable=True),
    ),
    filters=(
        Filter.choice(
            "state",
            Order.state,
            "web.console.orders.state",
            [(s.value, f"{STATE_LABEL}{s.value}") for s in OrderState],
        ),
        Filter.equals_int("customer", Order.customer_id, "web.console.orders.customer_id"),
        Filter.date_from("from", Order.created_at, "web.console.list.from"),
        Filter.date_to("to", Order.created_at, "web.console.list.to"),
    ),
    default_sort="-created_at",
    enrich=customer_names,
)


class ConsoleOrders(Controller):
    path = "/console/orders"
    include_in_schema = False

    @get("/")
    async def orders(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await staff(request, Permission.ORDERS_VIEW)
        if not isinstance(me, SignedInStaff):
            return me
        return await list_response(
            request,
            ORDERS,
            me.ctx,
            lambda listing: page(
                request, me, "pages/console/orders.html", section="orders", listing=listing
            ),
        )

    @get("/{order_id:int}")
    async def order(
        self, request: Request[Any, Any, Any], order_id: FromPath[int]
    ) -> Response[Any]:
        me = await staff(request, Permission.ORDERS_VIEW)
        if not isinstance(me, SignedInStaff):
            return me
        try:
            order = await get_order(me.ctx, order_id)
        except NotFound:
            return not_found(request)
        fmt = formatter(request, me.ctx)
        payment = await order_payment(me.ctx, order.id)
        customer = None
        if order.customer_id:
            customer = await (
                scoped(Customer, me.ctx)
                .select(Customer.id, Customer.organization_name)
                .where(Customer.id == order.customer_id)
                .first()
                .run()
            )
        expectation = await transfer_expectation(me.ctx, order.id)
        invoices = await (
            scoped(Invoice, me.ctx)
            .select(Invoice.id, Invoice.number, Invoice.status)
            .where((Invoice.source_type == "order") & (Invoice.source_id == str(order.id)))
            .order_by(Invoice.seq)
            .run()
        )
        return page(
            request,
            me,
            "pages/console/order.html",
            section="orders",
            order=order,
            customer=customer,
            date=fmt.moment(order.created_at),
            lines=line_rows(order.lines, fmt),
            **totals(order, fmt),
            payment_status=payment_status(order.state, payment.confirmed, payment.received),
            received=fmt.yen(payment.received),
            remaining_due=fmt.yen(payment.remaining_due),
            surplus=fmt.yen(payment.surplus) if payment.surplus else "",
            payer_reference=expectation.payer_reference if expectation else "",
            transfer_due=fmt.day(expectation.due_date) if expectation else "",
            invoices=invoices,
            quote_number=quote_number(order.quote_id) if order.quote_id else "",
        )
