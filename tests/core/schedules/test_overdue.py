"""Overdue reminders: 1, 7 and 30 days after the due date fixed by the payment term, once each."""

from datetime import UTC, date, datetime, timedelta

from core.billing import invoices
from core.billing.terms import PaymentTerm
from core.clock import FrozenClock
from core.context import TenantRef
from core.schedules.marks import marks
from core.schedules.overdue import OverdueReminders
from core.schedules.sweep import find_tenants, run_tenant
from core.tables import OutboxEvent
from tests.core.billing.factories import context, draft


async def _overdue_events(tenant_id: int) -> list[dict]:
    return await (
        OutboxEvent.select(OutboxEvent.idempotency_key, OutboxEvent.payload)
        .where((OutboxEvent.tenant_id == tenant_id) & (OutboxEvent.event_type == "invoice.overdue"))
        .order_by(OutboxEvent.id)
        .output(load_json=True)
    )


async def _run_day(job: OverdueReminders, tenant: TenantRef, day: date) -> int:
    clock = FrozenClock(datetime(day.year, day.month, day.day, 1, tzinfo=UTC))
    if tenant.id not in await find_tenants(job, day):
        return 0
    return await run_tenant(job, tenant, day, clock, limit=2)


async def test_each_overdue_step_is_sent_once_on_its_day(database):
    ctx = context(at=datetime(2026, 11, 22, 1, tzinfo=UTC))
    net30 = await invoices.create_invoice(ctx, draft("o-1", term=PaymentTerm.NET30))
    eom = await invoices.create_invoice(ctx, draft("o-2", term=PaymentTerm.NET60EOM))
    paid = await invoices.create_invoice(ctx, draft("o-3", term=PaymentTerm.NET30))
    await invoices.mark_paid(ctx, paid.id, "transfer")
    assert (net30.due_date, eom.due_date) == (date(2026, 12, 22), date(2027, 1, 31))
    job = OverdueReminders()
    sent_on: dict[str, date] = {}
    day = date(2026, 11, 22)
    while day <= date(2027, 3, 31):
        before = {e["idempotency_key"] for e in await _overdue_events(ctx.tenant.id)}
        await _run_day(job, ctx.tenant, day)
        await _run_day(job, ctx.tenant, day)  # a second run the same day adds nothing
        for event in await _overdue_events(ctx.tenant.id):
            if event["idempotency_key"] not in before:
                sent_on[event["idempotency_key"]] = day
        day += timedelta(days=1)
    t = ctx.tenant.id
    assert sent_on == {
        f"{t}:invoice.overdue:{net30.id}:1": date(2026, 12, 23),
        f"{t}:invoice.overdue:{net30.id}:7": date(2026, 12, 29),
        f"{t}:invoice.overdue:{net30.id}:30": date(2027, 1, 21),
        f"{t}:invoice.overdue:{eom.id}:1": date(2027, 2, 1),
        f"{t}:invoice.overdue:{eom.id}:7": date(2027, 2, 7),
        f"{t}:invoice.overdue:{eom.id}:30": date(2027, 3, 2),
    }
    payload = (await _overdue_events(t))[0]["payload"]
    assert payload["to"] == "taro@example.jp" and payload["number"] == net30.number
    assert payload["due_date"] == "2026/12/22" and payload["grand_total"] == net30.grand_total
    assert len(await marks(ctx, job.name)) == 6


async def test_a_missed_day_is_caught_up_but_a_stale_step_is_not_sent(database):
    ctx = context(at=datetime(2026, 11, 22, 1, tzinfo=UTC))
    invoice = await invoices.create_invoice(ctx, draft("late-1", term=PaymentTerm.NET30))
    job = OverdueReminders()
    # beat was down from the 1st overdue day to the 2nd: the 1-day reminder goes out late
    await _run_day(job, ctx.tenant, date(2026, 12, 24))
    keys = [e["idempotency_key"] for e in await _overdue_events(ctx.tenant.id)]
    assert keys == [f"{ctx.tenant.id}:invoice.overdue:{invoice.id}:1"]
    # down for weeks: the 7-day step's window passed, only the 30-day one is sent
    await _run_day(job, ctx.tenant, date(2027, 1, 22))
    keys = [e["idempotency_key"] for e in await _overdue_events(ctx.tenant.id)]
    assert keys[1:] == [f"{ctx.tenant.id}:invoice.overdue:{invoice.id}:30"]


async def test_a_void_invoice_gets_no_reminder_and_tenants_are_kept_apart(database):
    ctx = context(at=datetime(2026, 11, 22, 1, tzinfo=UTC))
    other = context(at=datetime(2026, 11, 22, 1, tzinfo=UTC))
    voided = await invoices.create_invoice(ctx, draft("v-1", term=PaymentTerm.NET30))
    await invoices.void_invoice(ctx, voided.id, "mistake")
    await invoices.create_invoice(other, draft("v-2", term=PaymentTerm.NET30))
    due = await find_tenants(OverdueReminders(), date(2026, 12, 23))
    assert other.tenant.id in due and ctx.tenant.id not in due
    await _run_day(OverdueReminders(), ctx.tenant, date(2026, 12, 23))
    assert await _overdue_events(ctx.tenant.id) == []
