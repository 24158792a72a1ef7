"""Schedules with real processes: two beats run a job once; a broker restart loses no task;
mail waits in the outbox while the SMTP server is down and is sent once when it returns."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest

from core.billing import invoices
from core.billing.terms import PaymentTerm
from core.clock import JST, SystemClock, local_date
from core.context import Actor, ActorKind, Context, tenant_scope
from core.messaging.mailer import list_messages
from core.orders.tables import Quote
from core.plugins import build_plugin_manager
from core.schedules import dead_letters
from core.schedules.jobs import SWEEP_TASK
from core.schedules.locks import runs
from core.schedules.marks import marks
from core.schedules.renewal_reminders import RenewalReminders
from core.schedules.sweep import run_tenant
from core.tables import OutboxEvent
from tests.conftest import make_settings
from tests.core.billing.factories import draft
from tests.core.messaging.helpers import SmtpServer
from tests.core.schedules.helpers import add_entitlement, tenant_with_customer
from tests.processes import eventually, shomei_env, stop
from tests.tenants.helpers import active_tenant
from tests.workers.schedule_processes import OwnRedis, install_beat_plugin
from workers.celery_app import create_celery
from workers.signals import send_task

JOB = "invoice_overdue"
PATIENCE = 300
"""Seconds to wait for a worker: the session database holds every earlier test's tenants, so a
worker here also relays their pending events before it reaches ours (slow on SQLite in CI)."""


@pytest.fixture
def own_redis(tmp_path):
    server = OwnRedis(tmp_path / "redis").start()
    yield server
    server.stop()


async def _overdue_invoice() -> tuple[Context, int]:
    """A real tenant's open NET30 invoice whose due date was yesterday (JST)."""
    result, _ = await active_tenant(SystemClock())
    ctx = Context(result.tenant, Actor(ActorKind.STAFF, "1", "Owner"), SystemClock())
    today = local_date(SystemClock(), JST)
    with tenant_scope(ctx.tenant):
        invoice = await invoices.create_invoice(
            ctx, draft("proc-1", term=PaymentTerm.NET30, issue_date=today - timedelta(days=31))
        )
    return ctx, invoice.id


async def _marks(ctx: Context) -> list[dict]:
    with tenant_scope(ctx.tenant):
        return await marks(ctx, JOB)


async def test_two_beat_processes_run_a_daily_job_once(tmp_path, database, processes, own_redis):
    settings = make_settings(tmp_path / "var", database, broker_url=own_redis.url)
    ctx, invoice_id = await _overdue_invoice()
    entry = f"{{'task': '{SWEEP_TASK}', 'schedule': 1.0, 'args': ['{JOB}']}}"
    entries = f"{{'overdue-every-second': {entry}}}"
    site = install_beat_plugin(tmp_path, entries)
    env = shomei_env(settings)
    env.update(
        SHOMEI_LOAD_ENTRYPOINT_PLUGINS="1",
        PYTHONPATH=os.pathsep.join([str(site), env.get("PYTHONPATH", "")]),
    )
    logs = [tmp_path / "beat-a.log", tmp_path / "beat-b.log", tmp_path / "worker.log"]
    beat_a = processes(["beat", "--schedule", str(tmp_path / "a-schedule")], env, logs[0])
    beat_b = processes(["beat", "--schedule", str(tmp_path / "b-schedule")], env, logs[1])
    worker = processes(["worker", "--hostname", "two-beats@%h"], env, logs[2])

    async def reminded() -> list[dict]:
        return await _marks(ctx)

    found = await eventually(reminded, PATIENCE, "the overdue reminder", logs[2])
    assert [(m["subject_id"], m["step"]) for m in found] == [(invoice_id, "1")]

    async def both_beats_sent_three_times() -> bool:
        return all(log.read_text().count("overdue-every-second") >= 3 for log in logs[:2])

    await eventually(both_beats_sent_three_times, 60, "both beats to send the sweep", logs[0])
    today = local_date(SystemClock(), JST).isoformat()
    assert [r["slot"] for r in await runs(JOB) if r["slot"] == today] == [today]
    assert len(await _marks(ctx)) == 1
    with tenant_scope(ctx.tenant):
        sent = await OutboxEvent.count().where(
            (OutboxEvent.tenant_id == ctx.tenant.id) & (OutboxEvent.event_type == "invoice.overdue")
        )
    assert sent == 1
    for process, log in zip((beat_a, beat_b, worker), logs, strict=True):
        assert stop(process) in (0, -15), log.read_text()[-2000:]


async def test_a_broker_restart_loses_no_task(tmp_path, database, processes, own_redis):
    settings = make_settings(tmp_path / "var", database, broker_url=own_redis.url)
    clock = SystemClock()
    ctx, customer = await tenant_with_customer(clock)
    with tenant_scope(ctx.tenant):
        await add_entitlement(ctx, customer, expires_at=clock.now() + timedelta(days=30))
    app = create_celery(settings, build_plugin_manager(load_entrypoints=False), SystemClock())
    send_task(app, SWEEP_TASK, args=("renewal_reminder",))  # queued while no worker runs
    own_redis.restart()  # the queued sweep must survive this
    log = tmp_path / "worker.log"
    processes(["worker", "--hostname", "restart@%h"], shomei_env(settings), log)

    async def reminded() -> list[dict]:
        with tenant_scope(ctx.tenant):
            return await marks(ctx, "renewal_reminder")

    await eventually(reminded, PATIENCE, "the sweep queued before the restart to run", log)
    # the broker goes away under a running worker, then the next job is sent: it still runs
    own_redis.restart()
    quote_ctx, _ = await tenant_with_customer(SystemClock())
    today = local_date(SystemClock(), JST)
    with tenant_scope(quote_ctx.tenant):
        now = SystemClock().now()
        await Quote.insert(
            Quote(
                tenant_id=quote_ctx.tenant.id, kind="product",
                valid_until=today - timedelta(days=1),
                saved_on=today - timedelta(days=31), subtotal=1000, tax=100, total=1100,
                tax_rounding="down", tax_totals=[], created_at=now, updated_at=now,
            )
        ).run()  # fmt: skip
    app = create_celery(settings, build_plugin_manager(load_entrypoints=False), SystemClock())
    send_task(app, SWEEP_TASK, args=("quote_expiry",))

    async def expired_noticed() -> list[dict]:
        with tenant_scope(quote_ctx.tenant):
            return await marks(quote_ctx, "quote_expiry")

    await eventually(expired_noticed, PATIENCE, "the sweep sent after the restart to run", log)
    # a task that fails for good becomes a dead letter for the operator page
    send_task(app, SWEEP_TASK, args=("no_such_job",))

    async def dead_lettered() -> list:
        found = await dead_letters.list_dead_letters()
        return [d for d in found if d.name == SWEEP_TASK and d.args == ["no_such_job"]]

    letters = await eventually(dead_lettered, 60, "the failed task's dead letter", log)
    assert "KeyError" in letters[0].error


async def test_mail_waits_for_the_smtp_server_and_is_sent_once(
    tmp_path, database, processes, own_redis
):
    smtp = SmtpServer()  # not started: the server is down
    settings = make_settings(tmp_path / "var", database, broker_url=own_redis.url)
    clock = SystemClock()
    ctx, customer = await tenant_with_customer(clock)
    today = local_date(clock, JST)
    with tenant_scope(ctx.tenant):
        await add_entitlement(ctx, customer, expires_at=clock.now() + timedelta(days=30))
        assert await run_tenant(RenewalReminders(), ctx.tenant, today, clock) == 1
    log = tmp_path / "worker.log"
    env = shomei_env(settings, SHOMEI_SMTP_URL=smtp.url, SHOMEI_MAIL_FROM="shop@example.jp")
    processes(["worker", "--hostname", "smtp@%h"], env, log)
    processes(["beat", "--schedule", str(tmp_path / "schedule")], env, tmp_path / "beat.log")

    async def failed_once() -> bool:
        with tenant_scope(ctx.tenant):
            row = (
                await OutboxEvent.select(OutboxEvent.attempts, OutboxEvent.last_error)
                .where(
                    (OutboxEvent.tenant_id == ctx.tenant.id)
                    & (OutboxEvent.event_type == "renewal.due")
                )
                .first()
            )
        return bool(row and row["attempts"] >= 1)

    await eventually(failed_once, PATIENCE, "a failed send while SMTP is down", log)
    assert smtp.inbox.raw == []
    smtp.start()
    try:

        async def delivered() -> bool:
            with tenant_scope(ctx.tenant):
                row = (
                    await OutboxEvent.select(OutboxEvent.delivered_at)
                    .where(
                        (OutboxEvent.tenant_id == ctx.tenant.id)
                        & (OutboxEvent.event_type == "renewal.due")
                    )
                    .first()
                )
            return bool(row and row["delivered_at"])

        await eventually(delivered, PATIENCE, "the mail to be sent once SMTP is back", log)
        await eventually(lambda: _later(12), 20, "another relay pass")
        # the relay also delivers other tests' events of this database: keep this tenant's
        with tenant_scope(ctx.tenant):
            log_rows = await list_messages(ctx)
        assert [(r.event_type, r.status, r.recipient) for r in log_rows] == [
            ("renewal.due", "sent", "taro@example.jp")
        ]
        ours = [m for m in smtp.inbox.messages() if m["Message-ID"] == log_rows[0].message_id]
        assert len(ours) == 1, "sent once, though the server was down for the first tries"
        assert log_rows[0].attempts >= 2
        assert "www.example.jp" in ours[0].get_body(("plain",)).get_content()
    finally:
        smtp.stop()


async def _later(seconds: float) -> bool:
    import asyncio

    await asyncio.sleep(seconds)
    return True
