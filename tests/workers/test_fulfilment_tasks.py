"""The fulfilment tasks and hooks, run in-process: registration and routing, the handler of
``order.paid``, the fulfil task's retries with backoff, and the sweep's fan-out per tenant."""

import asyncio

import pytest

from core.clock import SystemClock
from core.context import TenantRef, tenant_scope
from core.entitlements.tables import Fulfilment
from core.orders.states import OrderState
from core.orders.views import get_order
from core.outbox_relay import Event, deliver_pending, merge_handlers
from core.plugins import build_plugin_manager, collect_mapping
from tests.conftest import make_settings
from tests.core.entitlements import provider_plugin
from tests.core.entitlements.helpers import events, order_entitlements
from tests.core.entitlements.upstream import LoopbackUpstream
from tests.workers.fulfilment_helpers import shop_with_paid_order
from workers import celery_app
from workers.signals import TENANT_HEADER
from workers.tasks import fulfilment as tasks


@pytest.fixture
def upstream():
    with LoopbackUpstream() as server:
        yield server


@pytest.fixture
def sent(monkeypatch, tmp_path, database):
    """The Celery app of the test's settings; tasks sent are recorded, not brokered."""
    pm = build_plugin_manager(load_entrypoints=False, extra=[provider_plugin])
    settings = make_settings(tmp_path / "var", database)
    app = celery_app.create_celery(settings, pm, SystemClock())
    calls: list[dict] = []

    def record(app_, name, *, args=(), tenant=None, **options):
        calls.append({"name": name, "args": args, "tenant": tenant, **options})

    monkeypatch.setattr(tasks, "send_task", record)
    yield app, settings, pm, calls


def header(tenant) -> dict:
    return {
        TENANT_HEADER: {
            "id": tenant.id,
            "slug": tenant.slug,
            "language": tenant.language,
            "time_zone": tenant.time_zone,
        }
    }


def test_the_tasks_handler_and_beat_entry_are_registered(sent):
    app, _, pm, _ = sent
    app.loader.import_default_modules()
    fulfil = app.tasks[tasks.FULFIL]
    assert fulfil.acks_late and fulfil.reject_on_worker_lost and fulfil.max_retries == 8
    assert {tasks.POLL_DUE, tasks.POLL_TENANT} <= set(app.tasks)
    for name in (tasks.FULFIL, tasks.POLL_DUE, tasks.POLL_TENANT):
        assert celery_app.route_task(name, (), {}, {}) == {"queue": "provider"}
    schedule = collect_mapping(pm, "register_periodic_tasks")
    assert schedule["entitlements-poll"] == {"task": tasks.POLL_DUE, "schedule": 30.0}
    handlers = merge_handlers(pm.hook.register_event_handlers()[::-1])
    assert tasks.on_order_paid in handlers["order.paid"]


async def test_order_paid_sends_one_fulfil_task_per_delivery_until_complete(sent, upstream):
    app, settings, pm, calls = sent
    tenant, ctx, order_id = await shop_with_paid_order(settings, upstream)
    handlers = merge_handlers(pm.hook.register_event_handlers()[::-1])
    await deliver_pending(tenant, handlers, ctx.clock)
    fulfils = [c for c in calls if c["name"] == tasks.FULFIL]
    assert [(c["args"], c["tenant"].id) for c in fulfils] == [((order_id,), tenant.id)]
    with tenant_scope(tenant):
        run = (
            await Fulfilment.select()
            .where((Fulfilment.order_id == order_id) & (Fulfilment.tenant_id == tenant.id))
            .first()
        )
    assert run["attempts"] == 0 and run["completed_at"] is None
    assert run["next_attempt_at"] > ctx.clock.now()  # the sweep's safety net, one lease on

    result = await asyncio.to_thread(
        app.tasks[tasks.FULFIL].apply, args=(order_id,), headers=header(tenant)
    )
    assert result.get() == "fulfilled"
    (paid,) = [e for e in await events(ctx, "order.paid") if e["payload"]["order_id"] == order_id]
    event = Event(**{name: paid[name] for name in Event.__dataclass_fields__})
    await tasks.on_order_paid(ctx, event)  # delivered again after completion: nothing sent
    assert len([c for c in calls if c["name"] == tasks.FULFIL]) == 1


async def test_the_fulfil_task_retries_an_upstream_failure_and_records_attempts(sent, upstream):
    app, settings, _, _ = sent
    tenant, ctx, order_id = await shop_with_paid_order(settings, upstream)
    upstream.inject("error", count=2)
    # eager: each retry runs at once instead of after its countdown
    result = await asyncio.to_thread(
        app.tasks[tasks.FULFIL].apply, args=(order_id,), headers=header(tenant)
    )
    assert result.get() == "fulfilled"
    with tenant_scope(tenant):
        run = (
            await Fulfilment.select()
            .where((Fulfilment.order_id == order_id) & (Fulfilment.tenant_id == tenant.id))
            .first()
        )
        assert run["attempts"] == 3 and "500" in run["last_error"]
        assert (await get_order(ctx, order_id)).state is OrderState.FULFILLED
        assert len(await order_entitlements(ctx, order_id)) == 2
    assert upstream.effective_creates == 1 and upstream.count("POST") == 3


async def due_run(tenant: TenantRef, order_id: int, now) -> None:
    with tenant_scope(tenant):
        await Fulfilment.insert(
            Fulfilment(
                tenant_id=tenant.id,
                order_id=order_id,
                next_attempt_at=now,
                created_at=now,
                updated_at=now,
            )
        )


async def test_the_sweep_fans_out_per_tenant_and_resends_due_runs(sent, upstream):
    app, settings, _, calls = sent
    tenant, ctx, order_id = await shop_with_paid_order(settings, upstream)
    await due_run(tenant, order_id, ctx.clock.now())
    orphan = TenantRef(id=tenant.id + 1_000_000, slug="gone")  # a run whose tenant row is gone
    await due_run(orphan, order_id, ctx.clock.now())
    app.loader.import_default_modules()
    assert await asyncio.to_thread(lambda: app.tasks[tasks.POLL_DUE].apply().get()) >= 1
    [fan_out] = [c for c in calls if c["name"] == tasks.POLL_TENANT and c["tenant"].id == tenant.id]
    assert fan_out["args"] == (tenant.id,)
    assert not [c for c in calls if c["args"] == (orphan.id,)]
    poll = app.tasks[tasks.POLL_TENANT]
    sent_again = await asyncio.to_thread(
        lambda: poll.apply(args=(tenant.id,), headers=header(tenant)).get()
    )
    assert sent_again == 1
    resent = [c for c in calls if c["name"] == tasks.FULFIL]
    assert [(c["args"], c["tenant"].id) for c in resent] == [((order_id,), tenant.id)]
