"""Fulfilment run by real ``shomei worker`` processes, against a real HTTP upstream.

The test provider (``tests/core/entitlements/provider_plugin.py``) reaches the worker through an
entry point in a temporary site folder, as a third-party plugin would. The test process plays
the outbox relay (``deliver_pending`` with the registered handlers) and beat (sending
``shomei.provider.poll_due``). Each test runs on SQLite with the filesystem broker and on
PostgreSQL with Redis; the SIGKILL test also with RabbitMQ, which hands an unacknowledged message
to the next worker at once.
"""

import asyncio
import os
import signal
import time

import pytest

from core.clock import SystemClock
from core.context import tenant_scope
from core.entitlements.tables import Fulfilment
from core.orders.states import OrderState
from core.orders.views import get_order
from core.outbox_relay import Event, deliver_pending, merge_handlers
from core.plugins import build_plugin_manager
from tests.conftest import AMQP_URL, make_settings
from tests.core.entitlements import provider_plugin
from tests.core.entitlements.helpers import events, order_entitlements
from tests.core.entitlements.upstream import LoopbackUpstream
from tests.processes import eventually, shomei_env
from tests.workers.fulfilment_helpers import shop_with_paid_order
from workers.celery_app import create_celery
from workers.signals import send_task
from workers.tasks.fulfilment import POLL_DUE, on_order_paid

pytestmark = pytest.mark.xdist_group("rabbitmq")  # one RabbitMQ virtual host

REDIS_FOR_THESE_TESTS = "redis://127.0.0.1:6379/12"
"""Its own Redis database, so no other test's worker takes these tasks (queues are shared)."""
TASK_TIME_LIMIT = "15"  # the fulfilment lease is then 25 s


@pytest.fixture
def upstream():
    with LoopbackUpstream() as server:
        yield server


def settings_for(tmp_path, database, broker: str):
    extra = {"task_time_limit": TASK_TIME_LIMIT}
    if broker == "rabbitmq":
        extra["broker_url"] = AMQP_URL
    elif database.kind == "postgres":
        extra["broker_url"] = REDIS_FOR_THESE_TESTS
    return make_settings(tmp_path / "var", database, **extra)


def worker_env(tmp_path, settings) -> dict[str, str]:
    """The worker's environment: its settings, plus the test provider as an entry point."""
    site = tmp_path / "site"
    dist = site / "shomei_test_upstream-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: shomei-test-upstream\nVersion: 1.0\n"
    )
    (dist / "entry_points.txt").write_text(
        f"[shomei.plugins]\ntest_upstream = {provider_plugin.__name__}\n"
    )
    env = shomei_env(settings)
    env.update(
        SHOMEI_LOAD_ENTRYPOINT_PLUGINS="1",
        SHOMEI_TASK_TIME_LIMIT=TASK_TIME_LIMIT,
        PYTHONPATH=os.pathsep.join([str(site), env.get("PYTHONPATH", "")]),
    )
    return env


def celery_app(settings):
    """The test process's Celery app (current, so handlers send through it); queues purged."""
    pm = build_plugin_manager(load_entrypoints=False, extra=[provider_plugin])
    app = create_celery(settings, pm, SystemClock())
    if not settings.broker_url.startswith("filesystem"):
        app.control.purge()
    return app, pm


async def relay(tenant, pm) -> None:
    """What the outbox relay's delivery task does: every registered handler, in order."""
    handlers = merge_handlers(pm.hook.register_event_handlers()[::-1])
    report = await deliver_pending(tenant, handlers, SystemClock())
    assert not report.failed


async def paid_event(ctx, order_id) -> Event:
    (row,) = [e for e in await events(ctx, "order.paid") if e["payload"]["order_id"] == order_id]
    return Event(**{name: row[name] for name in Event.__dataclass_fields__})


async def state_of(ctx, order_id) -> OrderState:
    with tenant_scope(ctx.tenant):
        return (await get_order(ctx, order_id)).state


async def fulfilled(ctx, order_id) -> bool:
    return await state_of(ctx, order_id) is OrderState.FULFILLED


async def test_a_paid_order_delivered_twice_is_fulfilled_once_by_a_worker(
    tmp_path, database, upstream, processes
):
    settings = settings_for(tmp_path, database, "mode-default")
    app, pm = celery_app(settings)
    tenant, ctx, order_id = await shop_with_paid_order(settings, upstream, quantity=3)
    log = tmp_path / "worker.log"
    processes(["worker", "--hostname", "fulfil@%h"], worker_env(tmp_path, settings), log)
    await relay(tenant, pm)  # order.paid → the handler sends the fulfil task
    await on_order_paid(ctx, await paid_event(ctx, order_id))  # the event delivered again
    send_task(app, "shomei.provider.fulfil_order", args=(order_id,), tenant=tenant)  # and a third
    await eventually(lambda: fulfilled(ctx, order_id), 90, "the order to be fulfilled", log)
    await eventually(
        lambda: _count_in(log, "succeeded", 3), 60, "all three fulfil tasks to finish", log
    )
    with tenant_scope(tenant):
        rows = await order_entitlements(ctx, order_id)
        assert [(r["seq"], r["state"]) for r in rows] == [
            (0, "active"),
            (1, "active"),
            (2, "active"),
        ]
        assert len(await events(ctx, "order.fulfilled")) == 1
        assert len(await events(ctx, "entitlement.issued")) == 3
    assert upstream.effective_creates == 1


async def _count_in(log, word: str, at_least: int) -> bool:
    text = log.read_text(errors="replace") if log.exists() else ""
    return (
        sum(1 for line in text.splitlines() if "fulfil_order" in line and word in line) >= at_least
    )


async def test_orders_wait_out_an_upstream_outage_and_complete_once_after_recovery(
    tmp_path, database, upstream, processes
):
    settings = settings_for(tmp_path, database, "mode-default")
    _, pm = celery_app(settings)
    shops = [await shop_with_paid_order(settings, upstream, quantity=1) for _ in range(2)]
    env = worker_env(tmp_path, settings)
    env["SHOMEI_UPSTREAM_RETRY_DELAY"] = "1"  # 1, 2, 4 … s here; 30 s, 1 min … in production
    upstream.inject("error", count=3)  # the upstream answers 500 three times,
    upstream.inject("hang", count=1, seconds=8)  # then holds a request past the 5 s timeout
    log = tmp_path / "worker.log"
    processes(["worker", "--hostname", "outage@%h"], env, log)
    for tenant, _, _ in shops:
        await relay(tenant, pm)

    async def first_failure() -> bool:
        return upstream.count("POST") >= 1

    await eventually(first_failure, 60, "the worker to reach the upstream", log)
    for _, ctx, order_id in shops:  # four failures must pass before any success
        assert await state_of(ctx, order_id) in (OrderState.PAID, OrderState.FULFILLING)

    async def all_fulfilled() -> bool:
        return all([await fulfilled(ctx, order_id) for _, ctx, order_id in shops])

    await eventually(all_fulfilled, 120, "both orders to be fulfilled after the outage", log)
    attempts = 0
    for tenant, ctx, order_id in shops:
        with tenant_scope(tenant):
            assert len(await events(ctx, "order.fulfilled")) == 1
            assert len(await events(ctx, "entitlement.issued")) == 1
            run = (
                await Fulfilment.select()
                .where((Fulfilment.order_id == order_id) & (Fulfilment.tenant_id == tenant.id))
                .first()
            )
        assert run["completed_at"] is not None
        attempts += run["attempts"]
    assert upstream.effective_creates == 2, "one upstream order per shomei order"
    assert upstream.count("POST") == 6, "four failed calls, then one success per order"
    assert attempts == 6, "every call was a recorded attempt"


@pytest.mark.parametrize("broker", ["mode-default", "rabbitmq"])
async def test_a_worker_killed_mid_fulfilment_is_replaced_and_the_order_fulfilled_once(
    tmp_path, database, broker, upstream, processes
):
    settings = settings_for(tmp_path, database, broker)
    app, pm = celery_app(settings)
    tenant, ctx, order_id = await shop_with_paid_order(settings, upstream, quantity=2)
    env = worker_env(tmp_path, settings)
    upstream.inject("hang_after", seconds=300)  # the upstream creates, then holds its answer
    first_log, second_log = tmp_path / "worker-1.log", tmp_path / "worker-2.log"
    first = processes(["worker", "--hostname", "doomed@%h"], env, first_log)
    await relay(tenant, pm)
    await asyncio.to_thread(upstream.holding.wait, 90)
    assert upstream.holding.is_set(), first_log.read_text()[-3000:]
    assert await state_of(ctx, order_id) is OrderState.FULFILLING
    os.killpg(first.pid, signal.SIGKILL)  # mid-fulfilment: blocked on the upstream
    first.wait(timeout=30)
    upstream.clear_faults()
    processes(["worker", "--hostname", "replacement@%h"], env, second_log)

    last_sweep = [0.0]

    async def recovered() -> bool:
        # beat's sweep, every 3 s here (30 s in production); RabbitMQ needs none: it hands
        # the killed worker's unacknowledged message to the replacement at once
        if broker != "rabbitmq" and time.monotonic() - last_sweep[0] > 3:
            send_task(app, POLL_DUE)
            last_sweep[0] = time.monotonic()
        return await fulfilled(ctx, order_id)

    await eventually(recovered, 120, "the replacement worker to fulfil the order", second_log)
    with tenant_scope(tenant):
        rows = await order_entitlements(ctx, order_id)
        assert [(r["seq"], r["state"]) for r in rows] == [(0, "active"), (1, "active")]
        assert len(await events(ctx, "order.fulfilled")) == 1
        assert len(await events(ctx, "entitlement.issued")) == 2
        run = (
            await Fulfilment.select()
            .where((Fulfilment.order_id == order_id) & (Fulfilment.tenant_id == tenant.id))
            .first()
        )
    assert run["attempts"] == 2 and run["completed_at"] is not None
    assert upstream.effective_creates == 1, "the upstream made one order"
    assert upstream.count("POST") == 2, "the replacement asked again with the same key"
    codes = {r["data"]["code"] for r in rows}
    assert codes == set(next(iter(upstream.orders.values()))["codes"])
