"""Order numbers a person can read out (issue 14): ``ORD-<year>-<6 digits>``, per tenant and
per year in the tenant's time zone, gapless and never duplicated under concurrent orders, the
same mechanism as invoice numbers (``core.numbering``)."""

import asyncio
from dataclasses import replace
from datetime import UTC, datetime

from core.clock import FrozenClock
from core.orders.lines import LineInput
from core.orders.placing import OrderRequest, create_order
from core.orders.tables import Order
from core.tables import OutboxEvent
from tests.core.catalog.helpers import make_ctx
from tests.core.orders.helpers import make_deps, priced_product


async def test_concurrent_orders_get_gapless_numbers_per_tenant(database):
    ctx = make_ctx()
    other = make_ctx()
    product_id = await priced_product(ctx, 1000)
    other_product = await priced_product(other, 1000)
    deps = make_deps()

    async def place(context, product, n):
        request = OrderRequest("card", (LineInput(product, quantity=n + 1),))
        return await create_order(context, request, deps)

    placed = await asyncio.gather(
        *(place(ctx, product_id, n) for n in range(12)),
        *(place(other, other_product, n) for n in range(3)),
    )
    mine = sorted(o.number for o in placed[:12])
    assert mine == [f"ORD-2026-{n:06d}" for n in range(1, 13)]
    assert sorted(o.number for o in placed[12:]) == [f"ORD-{2026}-{n:06d}" for n in (1, 2, 3)]
    stored = await Order.select(Order.number).where(Order.tenant_id == ctx.tenant.id)
    assert sorted(row["number"] for row in stored) == mine
    event = (
        await OutboxEvent.select(OutboxEvent.payload)
        .where(
            (OutboxEvent.tenant_id == ctx.tenant.id)
            & (OutboxEvent.aggregate_id == str(placed[0].id))
        )
        .output(load_json=True)
        .first()
    )
    assert event["payload"]["number"] == placed[0].number


async def test_a_double_click_takes_one_number_and_leaves_no_gap(database):
    ctx = make_ctx(key="double-click")
    product_id = await priced_product(ctx, 1000)
    request = OrderRequest("card", (LineInput(product_id),))
    deps = make_deps()
    same = await asyncio.gather(*(create_order(ctx, request, deps) for _ in range(8)))
    assert {o.number for o in same} == {"ORD-2026-000001"}
    after = await create_order(replace(ctx, idempotency_key="next"), request, deps)
    assert after.number == "ORD-2026-000002"


async def test_the_year_is_the_tenants_local_year(database):
    # 2026-12-31 15:30 UTC is already 2027-01-01 00:30 in Tokyo
    ctx = make_ctx(clock=FrozenClock(datetime(2026, 12, 31, 14, 50, tzinfo=UTC)))
    product_id = await priced_product(ctx, 1000)
    deps = make_deps()
    request = OrderRequest("card", (LineInput(product_id),))
    last = await create_order(ctx, request, deps)
    ctx.clock.set(datetime(2026, 12, 31, 15, 30, tzinfo=UTC))
    first = await create_order(ctx, request, deps)
    assert (last.number, first.number) == ("ORD-2026-000001", "ORD-2027-000001")
