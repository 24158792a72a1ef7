"""Quotes (見積り) through the API: build, edit, delete, preview, download as PDF, send by
e-mail and turn into an order."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from litestar import Controller, Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from core.context import Context
from core.messaging.branding import load_logo
from core.orders.deps import OrderDeps
from core.orders.lines import LineInput
from core.orders.printable import PrintableQuote, printable_quote
from core.orders.quote_mail import QuoteSent, send_quote
from core.orders.quote_pdf import quote_document, quote_pdf_renderer
from core.orders.quotes import (
    QuoteRequest,
    QuoteView,
    convert_quote,
    create_quote,
    delete_quote,
    get_quote,
    list_quotes,
    update_quote,
)
from core.orders.views import OrderView
from web.api.examples import (
    ORDER,
    PDF,
    PRINTABLE_QUOTE,
    QUOTE,
    QUOTE_IN,
    QUOTE_SENT,
    SEND_IN,
    body,
    errors,
    ok,
)
from web.api.fields import MAX_LINES, Amount, Id, PathId, items, text
from web.api.guards import requires_scope
from web.api.orders import Code, LineIn

READ, WRITE = requires_scope("orders:read"), requires_scope("orders:write")


@dataclass
class QuoteIn:
    """Product lines, or ``credit_amount`` alone for an account-credit quote."""

    lines: items(LineIn, MAX_LINES) = field(default_factory=list)
    credit_amount: Amount | None = None
    customer_id: Id | None = None
    title: text(255) = ""
    memo: text(4000) = field(default="", metadata={"description": "Internal note; never printed"})

    def request(self) -> QuoteRequest:
        return QuoteRequest(
            lines=tuple(LineInput(**line.__dict__) for line in self.lines),
            credit_amount=self.credit_amount,
            customer_id=self.customer_id,
            title=self.title,
            memo=self.memo,
        )


@dataclass
class ConvertIn:
    payment_method: Code


@dataclass
class SendIn:
    """Send the quote PDF to one address (any address, 任意のアドレス)."""

    to: text(254, min_length=1)
    language: text(8) = field(
        default="", metadata={"description": "ja or en; default the tenant's"}
    )


PdfLanguage = Annotated[
    str,
    QueryParameter(name="lang", pattern="^(ja|en)?$", description="ja or en"),
]


class QuoteController(Controller):
    path = "/quotes"
    tags = ["quotes"]

    @post(
        "/",
        summary="Save a quote, valid 30 days",
        guards=[WRITE],
        status_code=201,
        responses=ok(QuoteView, QUOTE, status=201),
    )
    async def create(
        self,
        ctx: NamedDependency[Context],
        data: Annotated[QuoteIn, body(QUOTE_IN)],
        order_deps: NamedDependency[OrderDeps],
    ) -> QuoteView:
        return await create_quote(ctx, data.request(), order_deps)

    @get(
        "/",
        summary="This tenant's quotes",
        guards=[READ],
        responses=ok(list[QuoteView], [QUOTE]),
    )
    async def list_all(self, ctx: NamedDependency[Context]) -> list[QuoteView]:
        return await list_quotes(ctx)

    @get(
        "/{quote_id:int}",
        summary="One quote (with its memo)",
        guards=[READ],
        responses=ok(QuoteView, QUOTE),
    )
    async def get_one(self, ctx: NamedDependency[Context], quote_id: PathId) -> QuoteView:
        return await get_quote(ctx, quote_id)

    @get(
        "/{quote_id:int}/printable",
        summary="The quote as printed (no memo)",
        guards=[READ],
        responses=ok(PrintableQuote, PRINTABLE_QUOTE),
    )
    async def printable(self, ctx: NamedDependency[Context], quote_id: PathId) -> PrintableQuote:
        return await printable_quote(ctx, quote_id, ctx.tenant.language)

    @get(
        "/{quote_id:int}/pdf",
        summary="The quote as a PDF (見積書); an expired quote is marked as expired",
        guards=[READ],
        media_type="application/pdf",
        responses=ok(bytes, PDF, media_type="application/pdf", description="見積書 PDF"),
    )
    async def pdf(
        self, ctx: NamedDependency[Context], quote_id: PathId, lang: PdfLanguage = ""
    ) -> Response[bytes]:
        document = await quote_document(ctx, quote_id, lang or ctx.tenant.language)
        body = await quote_pdf_renderer().pdf_async(document, await load_logo(ctx))
        return Response(
            body,
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{document.filename}"'},
        )

    @post(
        "/{quote_id:int}/send",
        summary="E-mail the quote PDF to an address; the same Idempotency-Key sends once",
        guards=[WRITE],
        status_code=202,
        responses=ok(QuoteSent, QUOTE_SENT, status=202),
    )
    async def send(
        self,
        ctx: NamedDependency[Context],
        quote_id: PathId,
        data: Annotated[SendIn, body(SEND_IN)],
    ) -> QuoteSent:
        return await send_quote(ctx, quote_id, data.to, data.language)

    @put(
        "/{quote_id:int}",
        summary="Edit a quote",
        guards=[WRITE],
        responses=ok(QuoteView, QUOTE),
    )
    async def update(
        self,
        ctx: NamedDependency[Context],
        quote_id: PathId,
        data: Annotated[QuoteIn, body(QUOTE_IN)],
        order_deps: NamedDependency[OrderDeps],
    ) -> QuoteView:
        return await update_quote(ctx, quote_id, data.request(), order_deps)

    @delete(
        "/{quote_id:int}", summary="Delete a quote for good", guards=[WRITE], responses=errors()
    )
    async def remove(self, ctx: NamedDependency[Context], quote_id: PathId) -> None:
        await delete_quote(ctx, quote_id)

    @post(
        "/{quote_id:int}/order",
        summary="Turn the quote into an order at the quoted prices while it is valid",
        guards=[WRITE],
        status_code=201,
        responses=ok(OrderView, {**ORDER, "quote_id": 88}, status=201),
    )
    async def convert(
        self,
        ctx: NamedDependency[Context],
        quote_id: PathId,
        data: Annotated[ConvertIn, body({"payment_method": "bank_transfer"})],
        order_deps: NamedDependency[OrderDeps],
    ) -> OrderView:
        return await convert_quote(ctx, quote_id, data.payment_method, order_deps)
