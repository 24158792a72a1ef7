from datetime import UTC, datetime, timedelta

from core import outbox
from core.clock import FrozenClock
from core.context import Actor, Context, TenantRef
from core.outbox_relay import MAX_ATTEMPTS, deliver_pending, merge_handlers, tenants_with_pending
from core.tables import OutboxEvent


def _ctx(tenant_id: int, clock: FrozenClock) -> Context:
    return Context(TenantRef(id=tenant_id, slug=f"r{tenant_id}"), Actor.system("t"), clock)


async def test_events_reach_their_handlers_once_in_order(database):
    clock = FrozenClock(datetime(2026, 11, 22, 12, 0, tzinfo=UTC))
    ctx = _ctx(9201, clock)
    await outbox.record(ctx, "order", 1, "order.created", {"n": 1})
    await outbox.record(ctx, "order", 1, "order.paid", {"n": 2})
    await outbox.record(ctx, "order", 2, "order.created", {"n": 3})
    seen: list[tuple[str, dict]] = []

    async def handler(hctx, event):
        assert hctx.tenant.id == 9201
        seen.append((event.event_type, event.payload))

    handlers = merge_handlers([{"order.created": [handler]}, {"order.paid": [handler]}])
    assert 9201 in await tenants_with_pending()
    clock.advance(timedelta(seconds=3))
    report = await deliver_pending(ctx.tenant, handlers, clock)
    assert len(report.delivered) == 3
    assert seen == [
        ("order.created", {"n": 1}),
        ("order.paid", {"n": 2}),
        ("order.created", {"n": 3}),
    ]
    again = await deliver_pending(ctx.tenant, handlers, clock)
    assert again.delivered == [] and len(seen) == 3
    assert 9201 not in await tenants_with_pending()
    rows = await OutboxEvent.select().where(OutboxEvent.tenant_id == 9201).run()
    assert {row["delivered_at"] for row in rows} == {clock.now()}


async def test_a_failing_handler_holds_back_its_aggregate_only(database):
    clock = FrozenClock(datetime(2026, 11, 22, 12, 0, tzinfo=UTC))
    ctx = _ctx(9202, clock)
    await outbox.record(ctx, "order", 1, "order.created", {})
    await outbox.record(ctx, "order", 1, "order.paid", {})
    await outbox.record(ctx, "order", 2, "order.created", {})
    broken = {"on": True}
    seen: list[tuple[str, str]] = []

    async def handler(_, event):
        if broken["on"] and event.aggregate_id == "1" and event.event_type == "order.created":
            raise ConnectionError("smtp down")
        seen.append((event.aggregate_id, event.event_type))

    handlers = {"order.created": [handler], "order.paid": [handler]}
    first = await deliver_pending(ctx.tenant, handlers, clock)
    assert len(first.failed) == 1 and len(first.held_back) == 1
    assert seen == [("2", "order.created")]
    failed = await OutboxEvent.objects().get(OutboxEvent.id == first.failed[0]).run()
    assert failed.attempts == 1 and "smtp down" in failed.last_error

    broken["on"] = False
    second = await deliver_pending(ctx.tenant, handlers, clock)
    assert len(second.delivered) == 2
    assert seen[1:] == [("1", "order.created"), ("1", "order.paid")]


async def test_dead_events_are_left_for_an_operator(database):
    clock = FrozenClock(datetime(2026, 11, 22, 12, 0, tzinfo=UTC))
    ctx = _ctx(9203, clock)
    await outbox.record(ctx, "invoice", 5, "invoice.issued", {})
    await (
        OutboxEvent.update({OutboxEvent.attempts: MAX_ATTEMPTS})
        .where(OutboxEvent.tenant_id == 9203)
        .run()
    )
    assert 9203 not in await tenants_with_pending()
    report = await deliver_pending(ctx.tenant, {}, clock)
    assert report.delivered == []


async def test_hook_register_event_handlers(database):
    from core.hookspecs import hookimpl
    from core.plugins import build_plugin_manager

    seen = []

    class Mailer:
        @hookimpl
        def register_event_handlers(self):
            async def on_paid(ctx, event):
                seen.append((ctx.tenant.id, event.payload["order_id"]))

            return {"order.paid": [on_paid]}

    pm = build_plugin_manager(load_entrypoints=False, extra=[Mailer()])
    handlers = merge_handlers(pm.hook.register_event_handlers()[::-1])
    clock = FrozenClock(datetime(2026, 11, 22, 12, 0, tzinfo=UTC))
    ctx = _ctx(9204, clock)
    await outbox.record(ctx, "order", 77, "order.paid", {"order_id": 77})
    await deliver_pending(ctx.tenant, handlers, clock)
    assert seen == [(9204, 77)]
