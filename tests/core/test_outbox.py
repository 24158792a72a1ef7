from datetime import UTC, datetime

from core import outbox
from core.clock import FrozenClock
from core.context import Actor, Context, TenantRef
from core.db import bound_engine
from core.tables import OutboxEvent


def _ctx(tenant_id: int) -> Context:
    return Context(
        tenant=TenantRef(id=tenant_id, slug=f"t{tenant_id}"),
        actor=Actor.system("test"),
        clock=FrozenClock(datetime(2026, 11, 22, 10, 0, tzinfo=UTC)),
    )


async def test_event_is_written_once_per_key(database):
    ctx = _ctx(9101)
    assert await outbox.record(ctx, "order", 1, "order.paid", {"order_id": 1})
    assert not await outbox.record(ctx, "order", 1, "order.paid", {"order_id": 1})
    events = await outbox.pending(9101)
    assert [(e["event_type"], e["payload"]) for e in events] == [("order.paid", {"order_id": 1})]


async def test_event_rolls_back_with_the_change_it_reports(database):
    ctx = _ctx(9102)
    try:
        async with bound_engine().transaction():
            await outbox.record(ctx, "invoice", 7, "invoice.issued", {"invoice_id": 7})
            raise RuntimeError("the change failed")
    except RuntimeError:
        pass
    assert await OutboxEvent.count().where(OutboxEvent.tenant_id == 9102).run() == 0


async def test_pending_is_per_tenant_and_in_order(database):
    a, b = _ctx(9103), _ctx(9104)
    await outbox.record(a, "order", 1, "order.created", {})
    await outbox.record(b, "order", 2, "order.created", {})
    await outbox.record(a, "order", 1, "order.paid", {})
    assert [e["event_type"] for e in await outbox.pending(9103)] == ["order.created", "order.paid"]
    assert [e["aggregate_id"] for e in await outbox.pending(9104)] == ["2"]


async def test_concurrent_writers_of_one_key_write_one_event(database):
    import asyncio

    ctx = _ctx(9105)
    results = await asyncio.gather(
        *(outbox.record(ctx, "quote", 3, "quote.sent", {"to": "a@example.jp"}) for _ in range(8))
    )
    assert results.count(True) == 1
    assert await OutboxEvent.count().where(OutboxEvent.tenant_id == 9105).run() == 1
