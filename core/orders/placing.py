"""Placing an order: price and validate every line, then write the aggregate once per key.

Creation is idempotent under the client's key (``ctx.idempotency_key``): the same key with the
same request returns the order it created; the same key with another request is refused. The
unique index on (tenant_id, idempotency_key) decides between concurrent creators
(INSERT … ON CONFLICT DO NOTHING): one inserts, the others read what it wrote.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core import outbox
from core.catalog.errors import refuse
from core.catalog.payment_methods import refuse_unaccepted
from core.context import Context
from core.db import write_transaction
from core.errors import ValidationFailed
from core.orders.deps import OrderDeps, customer_errors
from core.orders.idempotency import request_digest
from core.orders.lines import LineInput, PricedLine, price_lines
from core.orders.numbers import give_back_number, take_number
from core.orders.states import OrderState
from core.orders.tables import Order, OrderLine, Quote
from core.orders.totals import compute_totals
from core.orders.views import OrderView, get_order


@dataclass(frozen=True)
class OrderRequest:
    """What a customer or staff member asks to buy, and how they will pay."""

    payment_method: str
    lines: tuple[LineInput, ...]
    customer_id: int | None = None


async def create_order(ctx: Context, request: OrderRequest, deps: OrderDeps) -> OrderView:
    """Price the lines now, ask their providers, and write the order in state draft."""
    digest = request_digest({"order": request})
    found = await _by_key(ctx, digest)
    if found is not None:
        return found
    if not request.payment_method.strip():
        raise refuse("payment_method", "orders.order.payment_method_required")
    priced, errors = await price_lines(ctx, request.lines, deps.tax.rate)
    errors += await deps.gate.validate(ctx, priced)
    errors += await customer_errors(ctx, request.customer_id, deps)
    if errors:
        raise ValidationFailed(errors)
    accepted = [line for line in priced if line is not None]
    return await place(ctx, digest, request.customer_id, request.payment_method, accepted, deps)


async def place(
    ctx: Context,
    digest: str,
    customer_id: int | None,
    payment_method: str,
    lines: Sequence[PricedLine],
    deps: OrderDeps,
    quote_id: int | None = None,
) -> OrderView:
    """Write an accepted order with its lines and its order.created event, once per key.
    The payment method must be accepted by every line's product (``payment_method`` error)."""
    product_ids = [line.product_id for line in lines if line.product_id is not None]
    await refuse_unaccepted(ctx, payment_method, product_ids, deps.payment_methods)
    totals = compute_totals(((line.amount, line.tax_rate) for line in lines), deps.tax.rounding)
    now = ctx.clock.now()
    key = ctx.idempotency_key or None
    async with write_transaction():
        year, number = await take_number(ctx)  # from here on, this tenant's orders wait
        inserted = await (
            Order.insert(
                Order(
                    tenant_id=ctx.tenant.id,
                    number=number,
                    customer_id=customer_id,
                    payment_method=payment_method,
                    state=OrderState.DRAFT.value,
                    idempotency_key=key,
                    request_digest=digest,
                    quote_id=quote_id,
                    subtotal=totals.subtotal,
                    tax=totals.tax,
                    total=totals.total,
                    tax_rounding=deps.tax.rounding.value,
                    tax_totals=totals.by_rate_json(),
                    created_at=now,
                    updated_at=now,
                )
            )
            .on_conflict(target=(Order.tenant_id, Order.idempotency_key), action="DO NOTHING")
            .returning(Order.id)
            .run()
        )
        if not inserted:  # a concurrent creator with this key won: no gap in the numbers
            await give_back_number(ctx, year)
        if inserted:
            order_id = inserted[0]["id"]
            await OrderLine.insert(
                *[
                    OrderLine(order=order_id, tenant_id=ctx.tenant.id, position=n, **line.columns())
                    for n, line in enumerate(lines)
                ]
            ).run()
            if quote_id is not None:
                await (
                    Quote.update({Quote.order_id: order_id})
                    .where((Quote.id == quote_id) & (Quote.tenant_id == ctx.tenant.id))
                    .run()
                )
            await outbox.record(
                ctx,
                "order",
                order_id,
                "order.created",
                {
                    "order_id": order_id,
                    "number": number,
                    "state": OrderState.DRAFT.value,
                    "total": totals.total,
                },
            )
    if inserted:
        return await get_order(ctx, order_id)
    found = await _by_key(ctx, digest)  # a concurrent creator with this key won
    if found is None:  # pragma: no cover - the conflicting row cannot vanish
        raise RuntimeError("order idempotency conflict without an order")
    return found


async def _by_key(ctx: Context, digest: str) -> OrderView | None:
    """The order already created under ``ctx.idempotency_key``; refused if asked differently."""
    if not ctx.idempotency_key:
        return None
    row = await (
        Order.select(Order.id, Order.request_digest)
        .where((Order.tenant_id == ctx.tenant.id) & (Order.idempotency_key == ctx.idempotency_key))
        .first()
        .run()
    )
    if row is None:
        return None
    if row["request_digest"] != digest:
        raise refuse("idempotency_key", "orders.order.idempotency_key_reused")
    return await get_order(ctx, row["id"])
