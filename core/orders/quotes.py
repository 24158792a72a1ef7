"""Quotes (見積り): product lines or an account credit, valid for 30 days, turned into orders.

The saved date and the validity end come from ``ctx.clock`` in the tenant's time zone: a quote
saved on 7 December is valid until 6 January (saved date + 30 days: "within 30 days" as
``core.calendar_windows`` counts it) and converts into an order at its quoted prices through
that day, never after. Editing the lines prices them again and
starts a new validity; editing only the title, memo or customer keeps both. Deleting is for good.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from core.calendar_windows import last_day_within
from core.catalog.calendar import tenant_today
from core.catalog.errors import refuse
from core.context import Context
from core.contracts.common import Yen
from core.db import bound_engine
from core.errors import NotFound, ValidationFailed
from core.orders.deps import OrderDeps, customer_errors
from core.orders.idempotency import request_digest
from core.orders.lines import (
    ACCOUNT_CREDIT,
    PRODUCT,
    LineInput,
    PricedLine,
    credit_line,
    price_lines,
)
from core.orders.placing import place
from core.orders.tables import Quote, QuoteLine
from core.orders.totals import compute_totals
from core.orders.views import OrderView, get_order

VALID_DAYS = 30


@dataclass(frozen=True)
class QuoteRequest:
    """Product lines, or ``credit_amount`` alone for an account-credit quote (a total only)."""

    lines: tuple[LineInput, ...] = ()
    credit_amount: Yen | None = None
    customer_id: int | None = None
    title: str = ""
    memo: str = ""

    @property
    def kind(self) -> str:
        return ACCOUNT_CREDIT if self.credit_amount is not None else PRODUCT


@dataclass(frozen=True)
class QuoteView:
    id: int
    kind: str
    customer_id: int | None
    title: str
    memo: str
    saved_on: date
    valid_until: date
    lines: tuple[PricedLine, ...]
    subtotal: Yen
    tax: Yen
    total: Yen
    tax_totals: tuple[dict[str, int], ...]
    order_id: int | None


async def create_quote(ctx: Context, request: QuoteRequest, deps: OrderDeps) -> QuoteView:
    await _check_customer(ctx, request, deps)
    lines = await _priced(ctx, request, deps)
    now = ctx.clock.now()
    async with bound_engine().transaction():
        row = Quote(
            tenant_id=ctx.tenant.id,
            customer_id=request.customer_id,
            kind=request.kind,
            title=request.title,
            memo=request.memo,
            created_at=now,
            **_pricing(ctx, lines, deps),
        )
        await row.save().run()
        await _write_lines(ctx, row.id, lines)
    return await get_quote(ctx, row.id)


async def update_quote(
    ctx: Context, quote_id: int, request: QuoteRequest, deps: OrderDeps
) -> QuoteView:
    quote = await get_quote(ctx, quote_id)
    if quote.order_id is not None:
        raise refuse("quote", "orders.quote.already_converted", order_id=quote.order_id)
    await _check_customer(ctx, request, deps)
    values: dict[str, Any] = {
        "customer_id": request.customer_id,
        "title": request.title,
        "memo": request.memo,
        "updated_at": ctx.clock.now(),
    }
    reprice = _asked(quote) != (request.kind, request.lines, request.credit_amount)
    lines = await _priced(ctx, request, deps) if reprice else []
    async with bound_engine().transaction():
        if reprice:
            values.update(kind=request.kind, **_pricing(ctx, lines, deps))
            await (
                QuoteLine.delete()
                .where((QuoteLine.quote == quote_id) & (QuoteLine.tenant_id == ctx.tenant.id))
                .run()
            )
            await _write_lines(ctx, quote_id, lines)
        await (
            Quote.update({getattr(Quote, k): v for k, v in values.items()})
            .where((Quote.id == quote_id) & (Quote.tenant_id == ctx.tenant.id))
            .run()
        )
    return await get_quote(ctx, quote_id)


async def delete_quote(ctx: Context, quote_id: int) -> None:
    """Delete the quote and its lines for good (削除: it cannot be restored)."""
    await get_quote(ctx, quote_id)
    async with bound_engine().transaction():
        await (
            QuoteLine.delete()
            .where((QuoteLine.quote == quote_id) & (QuoteLine.tenant_id == ctx.tenant.id))
            .run()
        )
        await (
            Quote.delete().where((Quote.id == quote_id) & (Quote.tenant_id == ctx.tenant.id)).run()
        )


async def get_quote(ctx: Context, quote_id: int) -> QuoteView:
    row = await (
        Quote.select()
        .where((Quote.id == quote_id) & (Quote.tenant_id == ctx.tenant.id))
        .first()
        .output(load_json=True)
        .run()
    )
    if row is None:
        raise NotFound("orders.quote.not_found", quote_id)
    lines = await (
        QuoteLine.select()
        .where((QuoteLine.quote == quote_id) & (QuoteLine.tenant_id == ctx.tenant.id))
        .order_by(QuoteLine.position)
        .run()
    )
    return QuoteView(
        id=row["id"],
        kind=row["kind"],
        customer_id=row["customer_id"],
        title=row["title"],
        memo=row["memo"],
        saved_on=row["saved_on"],
        valid_until=row["valid_until"],
        lines=tuple(PricedLine.from_row(line) for line in lines),
        subtotal=row["subtotal"],
        tax=row["tax"],
        total=row["total"],
        tax_totals=tuple(row["tax_totals"]),
        order_id=row["order_id"],
    )


async def list_quotes(ctx: Context) -> list[QuoteView]:
    ids = (
        await Quote.select(Quote.id)
        .where(Quote.tenant_id == ctx.tenant.id)
        .order_by(Quote.id)
        .run()
    )
    return [await get_quote(ctx, row["id"]) for row in ids]


async def convert_quote(
    ctx: Context, quote_id: int, payment_method: str, deps: OrderDeps
) -> OrderView:
    """The order at the quoted prices while the quote is valid; converting twice gives one."""
    quote = await get_quote(ctx, quote_id)
    if quote.order_id is not None:
        return await get_order(ctx, quote.order_id)
    if tenant_today(ctx) > quote.valid_until:
        raise refuse("quote", "orders.quote.expired", valid_until=quote.valid_until.isoformat())
    if not payment_method.strip():
        raise refuse("payment_method", "orders.order.payment_method_required")
    errors = await deps.gate.validate(ctx, quote.lines)
    if errors:
        raise ValidationFailed(errors)
    keyed = ctx if ctx.idempotency_key else ctx.with_key(f"quote:{quote_id}:order")
    digest = request_digest({"quote_id": quote_id, "payment_method": payment_method})
    return await place(
        keyed, digest, quote.customer_id, payment_method, quote.lines, deps, quote_id=quote_id
    )


async def _check_customer(ctx: Context, request: QuoteRequest, deps: OrderDeps) -> None:
    errors = await customer_errors(ctx, request.customer_id, deps)
    if errors:
        raise ValidationFailed(errors)


async def _priced(ctx: Context, request: QuoteRequest, deps: OrderDeps) -> list[PricedLine]:
    if request.credit_amount is not None:
        if request.lines:
            raise refuse("lines", "orders.quote.credit_has_lines")
        if request.credit_amount < 1:
            raise refuse("credit_amount", "orders.quote.credit_amount_invalid")
        return [credit_line(request.credit_amount, deps.tax.rate)]
    priced, errors = await price_lines(ctx, request.lines, deps.tax.rate)
    errors += await deps.gate.validate(ctx, priced)
    if errors:
        raise ValidationFailed(errors)
    return [line for line in priced if line is not None]


def _pricing(ctx: Context, lines: list[PricedLine], deps: OrderDeps) -> dict[str, Any]:
    """Totals and a new validity (saved today, valid through today + 30 days)."""
    totals = compute_totals(((line.amount, line.tax_rate) for line in lines), deps.tax.rounding)
    saved_on = tenant_today(ctx)
    return {
        "saved_on": saved_on,
        "valid_until": last_day_within(saved_on, VALID_DAYS),
        "subtotal": totals.subtotal,
        "tax": totals.tax,
        "total": totals.total,
        "tax_rounding": deps.tax.rounding.value,
        "tax_totals": totals.by_rate_json(),
        "updated_at": ctx.clock.now(),
    }


async def _write_lines(ctx: Context, quote_id: int, lines: list[PricedLine]) -> None:
    await QuoteLine.insert(
        *[
            QuoteLine(quote=quote_id, tenant_id=ctx.tenant.id, position=n, **line.columns())
            for n, line in enumerate(lines)
        ]
    ).run()


def _asked(quote: QuoteView) -> tuple[str, tuple[LineInput, ...], Yen | None]:
    """What the stored quote was asked for, comparable with a QuoteRequest."""
    if quote.kind == ACCOUNT_CREDIT:
        return ACCOUNT_CREDIT, (), quote.subtotal
    inputs = tuple(line.as_input() for line in quote.lines)
    return PRODUCT, tuple(i for i in inputs if i is not None), None
