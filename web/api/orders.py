"""Orders through the API: a hosting panel places and reads its customers' orders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import HeaderParameter

from core.context import Context
from core.orders.deps import OrderDeps
from core.orders.lines import LineInput
from core.orders.placing import OrderRequest, create_order
from core.orders.views import OrderView, get_order, list_orders
from web.api.examples import ORDER, ORDER_IN, body, ok
from web.api.fields import MAX_LINES, Count, Id, PathId, QueryId, items, text
from web.api.guards import requires_scope


@dataclass
class LineIn:
    """quantity x product x term x additional FQDNs x wildcard names"""

    product_id: Id = field(metadata={"description": "A product of this tenant's catalog"})
    quantity: Count = 1
    term_months: Count = 12
    fqdns: Count = field(default=0, metadata={"description": "Additional names beyond the first"})
    wildcards: Count = 0


Code = text(64, min_length=1)
Lines = items(LineIn, MAX_LINES, min_items=1)


@dataclass
class OrderIn:
    payment_method: Code = field(metadata={"examples": ["card", "bank_transfer", "wallet"]})
    lines: Lines
    customer_id: Id | None = None


IdempotencyKey = Annotated[
    str,
    HeaderParameter(
        name="Idempotency-Key",
        min_length=8,
        max_length=200,
        description="Your own unique key for this order: sending it again returns the same order",
    ),
]


class OrderController(Controller):
    path = "/orders"
    tags = ["orders"]

    @post(
        "/",
        summary="Place an order",
        description="Prices every line now and asks each line's provider; idempotent by key.",
        guards=[requires_scope("orders:write")],
        status_code=201,
        responses=ok(OrderView, ORDER, status=201),
    )
    async def create(
        self,
        ctx: NamedDependency[Context],
        data: Annotated[OrderIn, body(ORDER_IN)],
        idempotency_key: IdempotencyKey,
        order_deps: NamedDependency[OrderDeps],
    ) -> OrderView:
        request = OrderRequest(
            payment_method=data.payment_method,
            lines=tuple(LineInput(**line.__dict__) for line in data.lines),
            customer_id=data.customer_id,
        )
        return await create_order(ctx, request, order_deps)

    @get(
        "/{order_id:int}",
        summary="One order",
        guards=[requires_scope("orders:read")],
        responses=ok(OrderView, ORDER),
    )
    async def get_one(self, ctx: NamedDependency[Context], order_id: PathId) -> OrderView:
        return await get_order(ctx, order_id)

    @get(
        "/",
        summary="This tenant's orders",
        guards=[requires_scope("orders:read")],
        responses=ok(list[OrderView], [ORDER]),
    )
    async def list_all(
        self, ctx: NamedDependency[Context], customer_id: QueryId = None
    ) -> list[OrderView]:
        return await list_orders(ctx, customer_id)
