import itertools

import pytest

from core.errors import NotFound
from core.orders.lifecycle import transition
from core.orders.lines import LineInput
from core.orders.placing import OrderRequest, create_order
from core.orders.states import TRANSITIONS, IllegalTransition, OrderState, check_transition
from core.orders.views import get_order
from core.tables import OutboxEvent
from tests.core.catalog.helpers import make_ctx
from tests.core.orders.helpers import make_deps, priced_product

S = OrderState
ALL_PAIRS = list(itertools.product(S, S))
ILLEGAL = [(a, b) for a, b in ALL_PAIRS if b not in TRANSITIONS[a]]
PATH = {  # a legal walk from draft to each state
    S.DRAFT: [],
    S.AWAITING_PAYMENT: [S.AWAITING_PAYMENT],
    S.PAID: [S.AWAITING_PAYMENT, S.PAID],
    S.FULFILLING: [S.AWAITING_PAYMENT, S.PAID, S.FULFILLING],
    S.FULFILLED: [S.AWAITING_PAYMENT, S.PAID, S.FULFILLING, S.FULFILLED],
    S.CANCELLED: [S.CANCELLED],
    S.FAILED: [S.AWAITING_PAYMENT, S.FAILED],
    S.REFUNDED: [S.AWAITING_PAYMENT, S.PAID, S.REFUNDED],
}


def test_the_table_covers_every_state_and_the_happy_path():
    assert set(TRANSITIONS) == set(S)
    for a, b in itertools.pairwise([S.DRAFT, *PATH[S.FULFILLED]]):
        check_transition(a, b)
    assert len(ILLEGAL) == 64 - sum(len(targets) for targets in TRANSITIONS.values())


@pytest.mark.parametrize(("current", "target"), ILLEGAL, ids=[f"{a}->{b}" for a, b in ILLEGAL])
def test_every_pair_outside_the_table_is_refused(current, target):
    with pytest.raises(IllegalTransition) as refused:
        check_transition(current, target)
    (error,) = refused.value.errors
    assert error.message_id == "orders.state.illegal_transition"
    assert error.params == {"from": current.value, "to": target.value}


async def _order_in(ctx, state):
    product_id = await priced_product(ctx, 1000)
    order = await create_order(ctx, OrderRequest("card", (LineInput(product_id),)), make_deps())
    for step in PATH[state]:
        order = await transition(ctx, order.id, step)
    return order


@pytest.mark.parametrize("current", list(S))
async def test_the_service_refuses_each_illegal_move_and_announces_nothing(database, current):
    ctx = make_ctx()
    order = await _order_in(ctx, current)
    assert order.state is current
    events = await OutboxEvent.count().where(OutboxEvent.tenant_id == ctx.tenant.id).run()
    for target in S:
        if target in TRANSITIONS[current]:
            continue
        with pytest.raises(IllegalTransition):
            await transition(ctx, order.id, target)
    assert (await get_order(ctx, order.id)).state is current
    assert await OutboxEvent.count().where(OutboxEvent.tenant_id == ctx.tenant.id).run() == events


async def test_each_state_change_writes_its_outbox_event(database):
    ctx = make_ctx()
    order = await _order_in(ctx, S.FULFILLED)
    rows = (
        await OutboxEvent.select(OutboxEvent.event_type, OutboxEvent.payload)
        .where(OutboxEvent.tenant_id == ctx.tenant.id)
        .order_by(OutboxEvent.id)
        .output(load_json=True)
    )
    assert [r["event_type"] for r in rows] == [
        "order.created",
        "order.awaiting_payment",
        "order.paid",
        "order.fulfilling",
        "order.fulfilled",
    ]
    assert rows[2]["payload"]["from"] == "awaiting_payment"
    assert rows[2]["payload"]["order_id"] == order.id


async def test_another_tenant_cannot_move_the_order(database):
    ctx = make_ctx()
    order = await _order_in(ctx, S.DRAFT)
    with pytest.raises(NotFound):
        await transition(make_ctx(), order.id, S.CANCELLED)
    assert (await get_order(ctx, order.id)).state is S.DRAFT
