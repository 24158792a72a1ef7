"""The webhook tasks, run in-process: the sweep queues due deliveries, a failed attempt queues
the next one with the backoff as countdown, a replay queues one at once."""

import asyncio
from datetime import timedelta

import pytest

from core import outbox
from core.clock import FrozenClock
from core.context import tenant_scope
from core.messaging.webhooks import create_endpoint, list_attempts, list_deliveries
from core.outbox_relay import deliver_pending, merge_handlers
from core.plugins import build_plugin_manager, collect_mapping
from tests.conftest import make_settings
from tests.core.messaging.helpers import START, Receiver, branded_tenant, context, guard
from workers import celery_app
from workers.tasks import webhooks as tasks


@pytest.fixture
def clock():
    return FrozenClock(START)


@pytest.fixture
def sent(monkeypatch, tmp_path, database, clock):
    """The Celery app of the test's settings and clock; tasks sent are recorded, not brokered."""
    pm = build_plugin_manager(load_entrypoints=False)
    settings = make_settings(tmp_path / "var", database, egress_allow_loopback="1")
    app = celery_app.create_celery(settings, pm, clock)
    calls: list[dict] = []

    def record(app_, name, *, args=(), tenant=None, **options):
        calls.append({"name": name, "args": args, "tenant": tenant, **options})

    monkeypatch.setattr(tasks, "send_task", record)
    yield app, calls


def test_the_tasks_and_their_beat_entry_are_registered(sent):
    app, _ = sent
    app.loader.import_default_modules()
    assert {tasks.SWEEP, tasks.DELIVER} <= set(app.tasks)
    schedule = collect_mapping(
        build_plugin_manager(load_entrypoints=False), "register_periodic_tasks"
    )
    assert schedule["webhook-dispatch"]["task"] == tasks.SWEEP
    assert celery_app.route_task(tasks.DELIVER, (), {}, {}) == {"queue": "default"}


async def test_sweep_then_retry_with_countdown_then_replay(sent, clock):
    app, calls = sent
    tenant = await branded_tenant(clock)
    ctx = context(tenant, clock)
    with Receiver() as receiver:
        with tenant_scope(tenant):
            _, receiver.secret = await create_endpoint(
                ctx, receiver.url, ["certificate.issued"], guard=guard()
            )
            await outbox.record(ctx, "cert", 1, "certificate.issued", {"serial": "0a"})
            handlers = build_plugin_manager(load_entrypoints=False).hook.register_event_handlers()
            await deliver_pending(tenant, merge_handlers(handlers[::-1]), clock)
            [delivery] = await list_deliveries(ctx)

        assert await asyncio.to_thread(tasks.dispatch_webhooks.run) >= 1
        [queued] = [c for c in calls if c["args"] == (delivery.id, 0)]
        assert queued["name"] == tasks.DELIVER and queued["tenant"].id == tenant.id
        assert "countdown" not in queued

        receiver.answers = [503]
        with tenant_scope(tenant):
            status = await asyncio.to_thread(tasks.deliver_webhook.run, delivery.id, 0)
            assert status == "queued"
            retry = calls[-1]
            assert retry["args"] == (delivery.id, 1) and retry["countdown"] == 30
            assert await asyncio.to_thread(tasks.deliver_webhook.run, delivery.id, 0) == "skipped"
            clock.advance(timedelta(seconds=retry["countdown"]))  # the broker's countdown passes
            assert await asyncio.to_thread(tasks.deliver_webhook.run, delivery.id, 1) == "delivered"

            await tasks.replay_delivery(app, ctx, delivery.id)
            assert calls[-1]["args"] == (delivery.id, 2) and "countdown" not in calls[-1]
            assert await asyncio.to_thread(tasks.deliver_webhook.run, delivery.id, 2) == "delivered"
            codes = [a.status_code for a in await list_attempts(ctx, delivery.id)]
    assert codes == [503, 200, 200]
    assert len(receiver.requests) == 3 and all(
        r["json"]["type"] == "certificate.issued" for r in receiver.requests
    )
