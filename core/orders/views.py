"""Reading an order aggregate: the root, its lines and totals, always within one tenant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.context import Context
from core.contracts.common import Yen
from core.errors import NotFound
from core.orders.lines import PricedLine
from core.orders.states import OrderState
from core.orders.tables import Order, OrderLine


@dataclass(frozen=True)
class OrderView:
    id: int
    state: OrderState
    customer_id: int | None
    payment_method: str
    quote_id: int | None
    lines: tuple[PricedLine, ...]
    subtotal: Yen
    tax: Yen
    total: Yen
    tax_rounding: str
    tax_totals: tuple[dict[str, int], ...]
    created_at: datetime
    updated_at: datetime
    number: str = ""
    """What people see and say (``ORD-2026-000123``); the id stays the API's key."""


async def order_row(ctx: Context, order_id: int) -> dict[str, Any]:
    """The order's root row, or NotFound when it is not this tenant's."""
    row = await (
        Order.select()
        .where((Order.id == order_id) & (Order.tenant_id == ctx.tenant.id))
        .first()
        .output(load_json=True)
        .run()
    )
    if row is None:
        raise NotFound("orders.order.not_found", order_id)
    return row


async def get_order(ctx: Context, order_id: int) -> OrderView:
    row = await order_row(ctx, order_id)
    lines = await (
        OrderLine.select()
        .where((OrderLine.order == order_id) & (OrderLine.tenant_id == ctx.tenant.id))
        .order_by(OrderLine.position)
        .run()
    )
    return OrderView(
        id=row["id"],
        state=OrderState(row["state"]),
        customer_id=row["customer_id"],
        payment_method=row["payment_method"],
        quote_id=row["quote_id"],
        lines=tuple(PricedLine.from_row(line) for line in lines),
        subtotal=row["subtotal"],
        tax=row["tax"],
        total=row["total"],
        tax_rounding=row["tax_rounding"],
        tax_totals=tuple(row["tax_totals"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        number=row["number"] or str(row["id"]),
    )


async def list_orders(ctx: Context, customer_id: int | None = None) -> list[OrderView]:
    where = Order.tenant_id == ctx.tenant.id
    if customer_id is not None:
        where = where & (Order.customer_id == customer_id)
    ids = await Order.select(Order.id).where(where).order_by(Order.id).run()
    return [await get_order(ctx, row["id"]) for row in ids]
