"""Console quotes (見積り): the tenant's quotes (list, CSV), one quote, its PDF, and the
new-quote form (customer, product lines, the 30-day validity it will get; issue 14)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from core.calendar_windows import last_day_within
from core.catalog.calendar import tenant_today
from core.catalog.products import list_products
from core.errors import FieldError, NotFound, ValidationFailed
from core.messaging.branding import load_logo
from core.orders.quote_pdf import quote_document, quote_number, quote_pdf_renderer
from core.orders.quotes import VALID_DAYS, create_quote, get_quote
from core.orders.tables import Quote
from tenants.roles import Permission
from tenants.scoping import scoped
from tenants.tables import Customer
from web.api.deps import provide_order_deps
from web.console.access import SignedInStaff, not_found, staff
from web.console.enrich import customer_names
from web.console.lines import line_rows, totals
from web.console.listing import Column, Filter, ListSpec, formatter, list_response
from web.console.pages import page
from web.console.quote_form import QuoteForm, parse_form
from web.controllers.auth import redirect
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
        may_create = me.may(Permission.ORDERS_MANAGE)
        return await list_response(
            request,
            QUOTES,
            me.ctx,
            lambda listing: page(
                request,
                me,
                "pages/console/quotes.html",
                section="quotes",
                listing=listing,
                may_create=may_create,
            ),
        )

    @get("/new")
    async def new(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await staff(request, Permission.ORDERS_MANAGE)
        if not isinstance(me, SignedInStaff):
            return me
        return await _new_page(request, me, QuoteForm())

    @post("/new")
    async def create(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await staff(request, Permission.ORDERS_MANAGE)
        if not isinstance(me, SignedInStaff):
            return me
        data = await request.form()
        form = parse_form({k: v for k, v in data.items() if isinstance(v, str)})
        if data.get("action") == "add_line":
            return await _new_page(request, me, form)
        if not form.kept():
            refused = {"lines-0-product": FieldError("lines", "web.console.quote_new.no_lines")}
            return await _new_page(request, me, form, refused, status=422)
        if form.customer_id.strip() and form.request().customer_id is None:
            unknown = {"customer_id": FieldError("customer_id", "orders.customer_unknown")}
            return await _new_page(request, me, form, unknown, status=422)
        try:
            deps = await provide_order_deps(request, me.ctx)
            quote = await create_quote(me.ctx, form.request(), deps)
        except ValidationFailed as exc:
            return await _new_page(request, me, form, form.form_errors(exc.errors), status=422)
        return redirect(f"/console/quotes/{quote.id}?notice=quote_saved")

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
            saved=request.query_params.get("notice") == "quote_saved",
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


async def _new_page(
    request: Request[Any, Any, Any],
    me: SignedInStaff,
    form: QuoteForm,
    errors: dict[str, FieldError] | None = None,
    status: int = 200,
) -> Response[Any]:
    """The form: the tenant's customers and products to choose from, and the validity the
    quote gets when saved today (the last day within ``VALID_DAYS`` of today in the tenant's
    time zone, as ``core.calendar_windows`` counts it)."""
    fmt = formatter(request, me.ctx)
    customers = await (
        scoped(Customer, me.ctx)
        .select(Customer.id, Customer.organization_name)
        .order_by(Customer.organization_name)
        .run()
    )
    products = await list_products(me.ctx)
    terms = sorted({t for p in products for t in p.terms_months}) or [12]
    today = tenant_today(me.ctx)
    return page(
        request,
        me,
        "pages/console/quote_new.html",
        status=status,
        section="quotes",
        form=form,
        errors=errors or {},
        customers=customers,
        products=[{"id": p.id, "name": p.name(fmt.language)} for p in products],
        terms=terms,
        saved_on=fmt.day(today),
        valid_until=fmt.day(last_day_within(today, VALID_DAYS)),
        valid_days=VALID_DAYS,
    )
