"""fulfil_order: a paid order becomes entitlements through its provider, exactly once, and an
upstream failure leaves the order fulfilling until a later attempt succeeds."""

import asyncio
from datetime import timedelta

from core.entitlements.fulfilment import (
    _claim_run,
    claim_due_fulfilments,
    fulfil_order,
    request_fulfilment,
    tenants_with_due_work,
)
from core.entitlements.tables import Fulfilment
from core.orders.lifecycle import transition
from core.orders.states import OrderState
from core.orders.views import get_order
from tests.core.catalog.helpers import make_ctx
from tests.core.entitlements.helpers import (
    CUSTOMER,
    events,
    make_deps,
    order_entitlements,
    paid_order,
)


async def run_row(ctx, order_id) -> dict:
    return await (
        Fulfilment.select()
        .where((Fulfilment.tenant_id == ctx.tenant.id) & (Fulfilment.order_id == order_id))
        .first()
        .run()
    )


async def test_a_paid_order_becomes_entitlements_and_fulfilled_once(database, upstream):
    ctx, deps = make_ctx(), make_deps(upstream)
    order_id = await paid_order(ctx, deps, quantity=3)
    first = await fulfil_order(ctx, order_id, deps, claim="task-1")
    assert first.status == "fulfilled" and len(first.entitlement_ids) == 3
    again = await fulfil_order(ctx, order_id, deps, claim="task-2")  # the task runs twice
    assert again.status == "fulfilled" and again.entitlement_ids == ()
    assert (await get_order(ctx, order_id)).state is OrderState.FULFILLED
    rows = await order_entitlements(ctx, order_id)
    assert [(r["seq"], r["state"], r["customer_id"]) for r in rows] == [
        (0, "active", CUSTOMER),
        (1, "active", CUSTOMER),
        (2, "active", CUSTOMER),
    ]
    assert len({r["data"]["code"] for r in rows}) == 3
    assert all(r["payment_method"] == "card" and r["auto_renew"] for r in rows)
    assert all(r["expires_at"] is not None and r["issued_at"] == ctx.clock.now() for r in rows)
    assert upstream.effective_creates == 1 and upstream.count("POST") == 1
    assert [e["payload"]["to"] for e in await events(ctx, "order.fulfilling")] == ["fulfilling"]
    assert len(await events(ctx, "order.fulfilled")) == 1
    issued = await events(ctx, "entitlement.issued")
    assert sorted(e["payload"]["entitlement_id"] for e in issued) == [r["id"] for r in rows]
    assert (await run_row(ctx, order_id))["attempts"] == 1


async def test_two_tasks_at_once_call_the_upstream_once(database, upstream):
    ctx, deps = make_ctx(), make_deps(upstream)
    order_id = await paid_order(ctx, deps, quantity=2)
    upstream.inject("hang_after", seconds=1.0)  # the first holder waits on the upstream
    first, second = await asyncio.gather(
        fulfil_order(ctx, order_id, deps, claim="task-1"),
        fulfil_order(ctx, order_id, deps, claim="task-2"),
    )
    assert sorted([first.status, second.status]) == ["busy", "fulfilled"]
    assert upstream.effective_creates == 1 and upstream.count("POST") == 1
    assert len(await order_entitlements(ctx, order_id)) == 2
    assert len(await events(ctx, "order.fulfilled")) == 1


async def test_each_line_is_fulfilled_with_its_own_key(database, upstream):
    ctx, deps = make_ctx(), make_deps(upstream)
    order_id = await paid_order(ctx, deps, quantity=1, lines=2)
    assert (await fulfil_order(ctx, order_id, deps)).status == "fulfilled"
    lines = {r["order_line_id"] for r in await order_entitlements(ctx, order_id)}
    assert upstream.effective_creates == 2 and len(lines) == 2
    keys = sorted(order["key"] for order in upstream.orders.values())
    assert keys == sorted(f"{ctx.tenant.id}:order:{order_id}:line:{line}" for line in lines)


async def test_upstream_errors_leave_the_order_fulfilling_with_backoff(database, upstream):
    ctx, deps = make_ctx(), make_deps(upstream)
    order_id = await paid_order(ctx, deps)
    upstream.inject("error", count=2)
    upstream.inject("error_after")  # the upstream made it, then lost the answer
    delays = []
    for attempt in range(1, 4):
        outcome = await fulfil_order(ctx, order_id, deps, claim=f"t{attempt}")
        assert outcome.status == "retry"
        delays.append(outcome.retry_in)
        assert (await get_order(ctx, order_id)).state is OrderState.FULFILLING
        run = await run_row(ctx, order_id)
        assert run["attempts"] == attempt and "HTTPStatusError" in run["last_error"]
        assert await claim_due_fulfilments(ctx, deps.lease_seconds) == []  # not due yet
        ctx.clock.advance(timedelta(seconds=outcome.retry_in))
        assert ctx.tenant.id in await tenants_with_due_work(ctx.clock)
        assert await claim_due_fulfilments(ctx, deps.lease_seconds) == [order_id]
        assert await claim_due_fulfilments(ctx, deps.lease_seconds) == []  # sent once
    assert delays == [30, 60, 120]
    assert await order_entitlements(ctx, order_id) == []
    done = await fulfil_order(ctx, order_id, deps, claim="t4")
    assert done.status == "fulfilled"
    assert upstream.effective_creates == 1, "the create after the lost answer was not repeated"
    assert len(await order_entitlements(ctx, order_id)) == 2
    assert len(await events(ctx, "order.failed")) == 0
    run = await run_row(ctx, order_id)
    assert run["attempts"] == 4 and run["completed_at"] is not None
    assert run["next_attempt_at"] is None
    assert ctx.tenant.id not in await tenants_with_due_work(ctx.clock)


async def test_the_backoff_is_capped_at_thirty_minutes(database, upstream):
    ctx, deps = make_ctx(), make_deps(upstream)
    order_id = await paid_order(ctx, deps)
    upstream.inject("error", count=9)
    delays = []
    for attempt in range(9):
        outcome = await fulfil_order(ctx, order_id, deps, claim=f"t{attempt}")
        delays.append(outcome.retry_in)
    assert delays == [30, 60, 120, 240, 480, 960, 1800, 1800, 1800]
    assert (await get_order(ctx, order_id)).state is OrderState.FULFILLING


async def test_timeouts_then_recovery_complete_each_order_once(database, upstream):
    ctx, deps = make_ctx(), make_deps(upstream, timeout=0.3)
    orders = [await paid_order(ctx, deps, quantity=1) for _ in range(3)]
    upstream.inject("hang", count=3, seconds=1.0)
    for order_id in orders:
        assert (await fulfil_order(ctx, order_id, deps)).status == "retry"
    assert {(await get_order(ctx, o)).state for o in orders} == {OrderState.FULFILLING}
    ctx.clock.advance(timedelta(seconds=30))
    due = await claim_due_fulfilments(ctx, deps.lease_seconds)
    assert sorted(due) == sorted(orders)
    for order_id in due:
        assert (await fulfil_order(ctx, order_id, deps)).status == "fulfilled"
    assert upstream.effective_creates == 3
    for order_id in orders:
        assert len(await order_entitlements(ctx, order_id)) == 1
    assert len(await events(ctx, "order.fulfilled")) == 3


async def test_a_lease_held_by_a_dead_worker_is_taken_over_after_it_expires(database, upstream):
    ctx, deps = make_ctx(), make_deps(upstream, lease=120)
    order_id = await paid_order(ctx, deps)
    await request_fulfilment(ctx, order_id, deps.lease_seconds)
    # a worker claimed the run and died before calling the upstream: its lease stays
    assert await _claim_run(ctx, order_id, "dead-task", deps.lease_seconds) == 1
    assert (await fulfil_order(ctx, order_id, deps, claim="other")).status == "busy"
    assert await claim_due_fulfilments(ctx, deps.lease_seconds) == []
    ctx.clock.advance(timedelta(seconds=121))
    assert await claim_due_fulfilments(ctx, deps.lease_seconds) == [order_id]
    assert (await fulfil_order(ctx, order_id, deps, claim="other")).status == "fulfilled"
    assert upstream.effective_creates == 1
    assert (await run_row(ctx, order_id))["attempts"] == 2


async def test_the_same_claim_takes_its_run_back_at_once(database, upstream):
    """A message redelivered after its worker died carries the same task id."""
    ctx, deps = make_ctx(), make_deps(upstream)
    order_id = await paid_order(ctx, deps)
    await request_fulfilment(ctx, order_id, deps.lease_seconds)
    assert await _claim_run(ctx, order_id, "task-1", deps.lease_seconds) == 1
    assert (await fulfil_order(ctx, order_id, deps, claim="task-1")).status == "fulfilled"
    assert (await run_row(ctx, order_id))["attempts"] == 2


async def test_an_order_not_paid_is_not_fulfilled(database, upstream):
    ctx, deps = make_ctx(), make_deps(upstream)
    order_id = await paid_order(ctx, deps)
    assert await request_fulfilment(ctx, order_id, deps.lease_seconds)  # the order.paid handler
    await transition(ctx, order_id, OrderState.REFUNDED)
    assert (await fulfil_order(ctx, order_id, deps)).status == "skipped"
    assert upstream.count("POST") == 0
    assert (await run_row(ctx, order_id))["completed_at"] is not None  # never due again
    assert not await request_fulfilment(ctx, order_id, deps.lease_seconds)
