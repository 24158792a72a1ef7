"""poll_due: PENDING entitlements are asked again when due, and the order is fulfilled when
the last one is issued; a failing poll is tried again after the backoff."""

from datetime import timedelta

from core.entitlements.fulfilment import fulfil_order, poll_due, tenants_with_due_work
from core.orders.states import OrderState
from core.orders.views import get_order
from tests.core.catalog.helpers import make_ctx
from tests.core.entitlements.helpers import events, make_deps, order_entitlements, paid_order
from tests.core.entitlements.provider_plugin import POLL_AFTER


async def test_pending_entitlements_are_polled_until_issued(database, upstream):
    ctx, deps = make_ctx(), make_deps(upstream, pending=True)
    order_id = await paid_order(ctx, deps, quantity=2)
    outcome = await fulfil_order(ctx, order_id, deps)
    assert outcome.status == "waiting" and len(outcome.entitlement_ids) == 2
    rows = await order_entitlements(ctx, order_id)
    assert {r["state"] for r in rows} == {"pending"}
    assert {r["next_poll_at"] for r in rows} == {ctx.clock.now() + timedelta(seconds=POLL_AFTER)}
    assert {r["issued_at"] for r in rows} == {None}
    assert await events(ctx, "entitlement.issued") == []
    assert (await get_order(ctx, order_id)).state is OrderState.FULFILLING

    assert (await poll_due(ctx, deps)).polled == []  # not due yet
    assert upstream.count("GET") == 0
    ctx.clock.advance(timedelta(seconds=POLL_AFTER))
    assert ctx.tenant.id in await tenants_with_due_work(ctx.clock)
    still = await poll_due(ctx, deps)  # the upstream is still validating
    assert len(still.polled) == 2 and still.completed == [] and still.orders_fulfilled == []
    assert {r["poll_attempts"] for r in await order_entitlements(ctx, order_id)} == {1}

    upstream.complete()
    assert (await poll_due(ctx, deps)).polled == []  # next poll is POLL_AFTER later
    ctx.clock.advance(timedelta(seconds=POLL_AFTER))
    report = await poll_due(ctx, deps)
    assert sorted(report.completed) == sorted(r["id"] for r in rows)
    assert report.orders_fulfilled == [order_id]
    assert (await get_order(ctx, order_id)).state is OrderState.FULFILLED
    done = await order_entitlements(ctx, order_id)
    assert {r["state"] for r in done} == {"active"}
    assert {r["next_poll_at"] for r in done} == {None}
    assert {r["issued_at"] for r in done} == {ctx.clock.now()}
    assert all(r["data"]["status"] == "completed" and r["data"]["code"] for r in done)
    assert len(await events(ctx, "entitlement.issued")) == 2
    assert len(await events(ctx, "order.fulfilled")) == 1
    ctx.clock.advance(timedelta(hours=1))
    assert (await poll_due(ctx, deps)).polled == []
    assert ctx.tenant.id not in await tenants_with_due_work(ctx.clock)


async def test_a_failing_poll_backs_off_and_the_order_waits(database, upstream):
    ctx, deps = make_ctx(), make_deps(upstream, pending=True)
    order_id = await paid_order(ctx, deps, quantity=1)
    await fulfil_order(ctx, order_id, deps)
    upstream.complete()
    upstream.inject("error", count=2, method="GET")
    ctx.clock.advance(timedelta(seconds=POLL_AFTER))
    first = await poll_due(ctx, deps)
    assert first.failed and not first.polled
    (row,) = await order_entitlements(ctx, order_id)
    assert row["state"] == "pending" and row["poll_attempts"] == 1
    assert row["next_poll_at"] == ctx.clock.now() + timedelta(seconds=30)
    ctx.clock.advance(timedelta(seconds=30))
    assert (await poll_due(ctx, deps)).failed
    (row,) = await order_entitlements(ctx, order_id)
    assert row["next_poll_at"] == ctx.clock.now() + timedelta(seconds=60)
    assert (await get_order(ctx, order_id)).state is OrderState.FULFILLING
    ctx.clock.advance(timedelta(seconds=60))
    assert (await poll_due(ctx, deps)).orders_fulfilled == [order_id]
    assert (await get_order(ctx, order_id)).state is OrderState.FULFILLED


async def test_polls_go_in_batches(database, upstream):
    ctx, deps = make_ctx(), make_deps(upstream, pending=True)
    order_id = await paid_order(ctx, deps, quantity=5)
    await fulfil_order(ctx, order_id, deps)
    upstream.complete()
    ctx.clock.advance(timedelta(seconds=POLL_AFTER))
    assert len((await poll_due(ctx, deps, batch=2)).completed) == 2
    assert len((await poll_due(ctx, deps, batch=2)).completed) == 2
    last = await poll_due(ctx, deps, batch=2)
    assert len(last.completed) == 1 and last.orders_fulfilled == [order_id]
