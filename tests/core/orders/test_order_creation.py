import asyncio

import pytest

from core.catalog.retail import set_retail_price
from core.contracts.common import Price
from core.errors import NotFound, ValidationFailed
from core.money import Rounding
from core.orders.lines import LineInput
from core.orders.placing import OrderRequest, create_order
from core.orders.tables import Order
from core.orders.views import get_order
from core.tables import OutboxEvent
from tests.core.catalog.helpers import make_ctx
from tests.core.orders.helpers import make_deps, priced_product


async def test_three_lines_of_105_yen_carry_31_yen_tax_rounded_down(database):
    ctx = make_ctx()
    product_id = await priced_product(ctx, 105)
    order = await create_order(
        ctx, OrderRequest("bank_transfer", (LineInput(product_id, quantity=3),)), make_deps()
    )
    assert (order.lines[0].unit_price, order.lines[0].amount) == (105, 315)
    assert (order.subtotal, order.tax, order.total) == (315, 31, 346)
    assert order.tax_totals == ({"rate": 10, "taxable": 315, "tax": 31},)
    up = await create_order(
        ctx,
        OrderRequest("bank_transfer", (LineInput(product_id, quantity=3),)),
        make_deps(Rounding.UP),
    )
    assert up.tax == 32


async def test_tax_is_taken_once_over_all_lines_not_per_line(database):
    ctx = make_ctx()
    product_id = await priced_product(ctx, 105)
    lines = tuple(LineInput(product_id) for _ in range(3))
    order = await create_order(ctx, OrderRequest("card", lines), make_deps())
    assert [line.amount for line in order.lines] == [105, 105, 105]
    assert order.tax == 31  # not 3 x 10


async def test_names_and_wildcards_are_priced_into_the_unit_price(database):
    ctx = make_ctx()
    product_id = await priced_product(ctx, 17_600, per_additional_fqdn=26_400, per_wildcard=93_120)
    line = LineInput(product_id, quantity=2, term_months=24, fqdns=3, wildcards=1)
    order = await create_order(ctx, OrderRequest("card", (line,)), make_deps())
    assert order.lines[0].unit_price == 17_600 + 3 * 26_400 + 93_120
    assert order.lines[0].amount == 2 * order.lines[0].unit_price
    assert (order.lines[0].fqdns, order.lines[0].wildcards, order.lines[0].term_months) == (
        3,
        1,
        24,
    )


async def test_a_price_change_leaves_existing_orders_unchanged(database):
    ctx = make_ctx()
    product_id = await priced_product(ctx, 1000)
    order = await create_order(ctx, OrderRequest("card", (LineInput(product_id),)), make_deps())
    await set_retail_price(ctx, product_id, 12, Price(9999))
    again = await get_order(ctx, order.id)
    assert (again.lines[0].unit_price, again.subtotal, again.total) == (1000, 1000, 1100)
    newer = await create_order(ctx, OrderRequest("card", (LineInput(product_id),)), make_deps())
    assert newer.lines[0].unit_price == 9999


async def test_provider_limits_come_back_as_line_field_errors(database):
    ctx = make_ctx()
    product_id = await priced_product(ctx, 1000)
    lines = (
        LineInput(product_id, quantity=1001),
        LineInput(product_id, fqdns=251, wildcards=250),
        LineInput(product_id, term_months=6),
        LineInput(product_id, quantity=1000, fqdns=250, term_months=72),
        LineInput(424242),
    )
    with pytest.raises(ValidationFailed) as refused:
        await create_order(ctx, OrderRequest("card", lines), make_deps())
    assert [(e.field, e.message_id) for e in refused.value.errors] == [
        ("lines[4].product_id", "orders.line.product_unknown"),
        ("lines[0].quantity", "test_digi.quantity_range"),
        ("lines[1].fqdns", "test_digi.fqdns_range"),
        ("lines[2].term_months", "test_digi.years_range"),
    ]
    assert await Order.count().where(Order.tenant_id == ctx.tenant.id).run() == 0


async def test_an_order_needs_lines_and_a_payment_method(database):
    ctx = make_ctx()
    with pytest.raises(ValidationFailed) as refused:
        await create_order(ctx, OrderRequest("card", ()), make_deps())
    assert refused.value.errors[0].field == "lines"
    product_id = await priced_product(ctx, 1000)
    with pytest.raises(ValidationFailed) as refused:
        await create_order(ctx, OrderRequest(" ", (LineInput(product_id),)), make_deps())
    assert refused.value.errors[0].field == "payment_method"


async def test_the_same_key_and_request_return_the_same_order(database):
    ctx = make_ctx(key="panel-req-1")
    product_id = await priced_product(ctx, 1000)
    request = OrderRequest("card", (LineInput(product_id, quantity=2),), customer_id=5)
    first = await create_order(ctx, request, make_deps())
    second = await create_order(ctx, request, make_deps())
    assert first == second
    assert first.customer_id == 5 and first.payment_method == "card"
    events = await OutboxEvent.select(OutboxEvent.event_type).where(
        OutboxEvent.tenant_id == ctx.tenant.id
    )
    assert events == [{"event_type": "order.created"}]


async def test_the_same_key_with_another_request_is_refused(database):
    ctx = make_ctx(key="panel-req-2")
    product_id = await priced_product(ctx, 1000)
    await create_order(ctx, OrderRequest("card", (LineInput(product_id),)), make_deps())
    with pytest.raises(ValidationFailed) as refused:
        await create_order(
            ctx, OrderRequest("card", (LineInput(product_id, quantity=2),)), make_deps()
        )
    assert refused.value.errors[0].message_id == "orders.order.idempotency_key_reused"


async def test_keys_are_per_tenant(database):
    a, b = make_ctx(key="same-key"), make_ctx(key="same-key")
    order_a = await create_order(
        a, OrderRequest("card", (LineInput(await priced_product(a, 1000)),)), make_deps()
    )
    order_b = await create_order(
        b, OrderRequest("card", (LineInput(await priced_product(b, 2000)),)), make_deps()
    )
    assert order_a.id != order_b.id


async def test_twenty_concurrent_identical_creates_make_one_order(database):
    ctx = make_ctx(key="double-click")
    product_id = await priced_product(ctx, 1000)
    request = OrderRequest("card", (LineInput(product_id),))
    deps = make_deps()
    orders = await asyncio.gather(*(create_order(ctx, request, deps) for _ in range(20)))
    assert len({order.id for order in orders}) == 1
    assert await Order.count().where(Order.tenant_id == ctx.tenant.id).run() == 1
    created = await OutboxEvent.count().where(OutboxEvent.tenant_id == ctx.tenant.id).run()
    assert created == 1


async def test_another_tenant_cannot_load_the_order(database):
    ctx = make_ctx()
    order = await create_order(
        ctx, OrderRequest("card", (LineInput(await priced_product(ctx, 1000)),)), make_deps()
    )
    with pytest.raises(NotFound):
        await get_order(make_ctx(), order.id)
