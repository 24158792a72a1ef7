"""Console quotes (見積り): the tenant's quotes (list, CSV), one quote, and its PDF."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.params import FromPath

from core.errors import NotFound
from core.messaging.branding import load_logo
from core.orders.quote_pdf import quote_document, quote_number, quote_pdf_renderer
from core.orders.quotes import get_quote
from core.orders.tables import Quote
from tenants.roles import Permission
from tenants.scoping import scoped
from tenants.tables import Customer
from web.console.access import SignedInStaff, not_found, staff
from web.console.enrich import customer_names
from web.console.lines import line_rows, totals
from web.console.listing import Column, Filter, ListSpec, formatter, list_response
from web.console.pages import page
from web.pages import SECURITY_HEADERS

QUOTES = ListSpec(
    name="quotes",
    table=Quote,
    columns=(
        Column(
            "id",
            "web.console.quotes.number",
            sortable=True,
            value=lambda row, fmt: quote_number(row["id"]),
            link=lambda row: f"/console/quotes/{row['id']}",
        ),
        Column("saved_on", "web.console.quotes.saved_on", kind="date", sortable=True),
        Column("valid_until", "web.console.quotes.valid_until", kind="date", sortable=True),
        Column("customer_name", "web.console.orders.customer"),
        Column("title", "web.console.quotes.subject", sortable=True),
        Column("total", "web.console.orders.total", kind="yen", sortable=True),
        Column(
            "order_id",
            "web.console.quotes.order",
            value=lambda row, fmt: str(row["order_id"] or ""),
        ),
    ),
    filters=(
        Filter.contains("q", (Quote.title,), "web.console.quotes.subject"),
        Filter.equals_int("customer", Quote.customer_id, "web.console.orders.customer_id"),
        Filter.date_from("from", Quote.saved_on, "web.console.list.from"),
        Filter.date_to("to", Quote.saved_on, "web.console.list.to"),
    ),
    default_sort="-saved_on",
    enrich=customer_names,
)


class ConsoleQuotes(Controller):
    path = "/console/quotes"
    include_in_schema = False

    @get("/")
    async def quotes(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await staff(request, Permission.ORDERS_VIEW)
        if not isinstance(me, SignedInStaff):
            return me
        return await list_response(
            request,
            QUOTES,
            me.ctx,
            lambda listing: page(
                request, me, "pages/console/quotes.html", section="quotes", listing=listing
            ),
        )

    @get("/{quote_id:int}")
    async def quote(
        self, request: Request[Any, Any, Any], quote_id: FromPath[int]
    ) -> Response[Any]:
        me = await staff(request, Permission.ORDERS_VIEW)
        if not isinstance(me, SignedInStaff):
            return me
        try:
            quote = await get_quote(me.ctx, quote_id)
        except NotFound:
            return not_found(request)
        fmt = formatter(request, me.ctx)
        customer = None
        if quote.customer_id:
            customer = await (
                scoped(Customer, me.ctx)
                .select(Customer.id, Customer.organization_name)
                .where(Customer.id == quote.customer_id)
                .first()
                .run()
            )
        return page(
            request,
            me,
            "pages/console/quote.html",
            section="quotes",
            quote=quote,
            number=quote_number(quote.id),
            customer=customer,
            saved_on=fmt.day(quote.saved_on),
            valid_until=fmt.day(quote.valid_until),
            lines=line_rows(quote.lines, fmt),
            **totals(quote, fmt),
        )

    @get("/{quote_id:int}/pdf")
    async def quote_pdf(
        self, request: Request[Any, Any, Any], quote_id: FromPath[int]
    ) -> Response[Any]:
        me = await staff(request, Permission.ORDERS_VIEW)
        if not isinstance(me, SignedInStaff):
            return me
        language = formatter(request, me.ctx).language
        try:
            document = await quote_document(me.ctx, quote_id, language)
        except NotFound:
            return not_found(request)
        body = await quote_pdf_renderer().pdf_async(document, await load_logo(me.ctx))
        return Response(
            body,
            media_type="application/pdf",
            headers={
                **SECURITY_HEADERS,
                "content-disposition": f'inline; filename="{quote_number(quote_id)}.pdf"',
            },
        )
