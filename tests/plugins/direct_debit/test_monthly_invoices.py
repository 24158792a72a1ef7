"""Monthly invoices of direct-debit monthly plans: one per plan and month, issued on the 1st
(caught up on the 2nd and 3rd), with gapless numbers, through a job the plugin registers."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from core.billing.invoices import create_invoice
from core.billing.tables import Invoice
from core.clock import FrozenClock
from core.context import tenant_scope
from core.payments.ledger import apply_outcome
from core.plugins import build_plugin_manager
from core.schedules.jobs import SWEEP_TASK, build_jobs
from core.schedules.marks import marks
from core.tables import OutboxEvent
from plugins.direct_debit import service
from plugins.direct_debit.monthly import JOB, MonthlyPlanInvoices, monthly_draft
from plugins.direct_debit.tables import Collection
from tenants.credentials import Keyring
from tests.core.schedules.helpers import morning, run_day, tenant_with_customer
from tests.core.schedules.renewals import monthly_plan
from tests.plugins.direct_debit.test_direct_debit import FORM
from workers.celery_app import beat_schedule


def test_hook_register_schedule_jobs():
    pm = build_plugin_manager(load_entrypoints=False)
    jobs = [job for found in pm.hook.register_schedule_jobs() for job in found]
    assert JOB in [job.name for job in jobs]
    assert JOB in build_jobs("https://example.test", extra=jobs)
    beats = {k: v for found in pm.hook.register_periodic_tasks() for k, v in found.items()}
    entry = beats["schedule-direct-debit-monthly-invoice"]
    assert entry["task"] == SWEEP_TASK and entry["args"] == [JOB]
    celery_entry = beat_schedule(beats)["schedule-direct-debit-monthly-invoice"]
    assert celery_entry["schedule"].day_of_month == {1, 2, 3}


async def test_one_invoice_per_plan_and_month_on_the_first(database, settings):
    clock = FrozenClock(morning(date(2027, 1, 10)))
    ctx, customer = await tenant_with_customer(clock)
    job = MonthlyPlanInvoices()
    with tenant_scope(ctx.tenant):
        plan = await monthly_plan(
            ctx, Keyring.from_settings(settings), customer, 5_000, morning(date(2027, 1, 10))
        )
        # a crash after the February invoice was numbered, before its mark was written
        row = {"id": plan, "customer_id": customer, "provider_account_id": 1}
        row["product_code"] = await _product_code(plan)
        early = await create_invoice(
            ctx.with_key(f"direct_debit:plan:{plan}:202702"),
            await monthly_draft(ctx, date(2027, 2, 1), row),
        )
        day = date(2027, 1, 10)
        while day <= date(2027, 4, 5):
            if day != date(2027, 3, 1):  # beat was down on 1 March: caught up on the 2nd
                await run_day(job, ctx.tenant, day)
                await run_day(job, ctx.tenant, day)
            day += timedelta(days=1)
        rows = await (
            Invoice.select()
            .where(Invoice.tenant_id == ctx.tenant.id)
            .order_by(Invoice.seq)
            .output(load_json=True)
        )
        done = await marks(ctx, JOB, plan)
    assert [(r["seq"], r["issue_date"], r["due_date"], r["grand_total"]) for r in rows] == [
        (1, date(2027, 2, 1), date(2027, 3, 31), 5_500),
        (2, date(2027, 3, 1), date(2027, 4, 30), 5_500),
        (3, date(2027, 4, 1), date(2027, 5, 31), 5_500),
    ]
    assert rows[0]["id"] == early.id
    assert [(m["step"], m["done_at"].date()) for m in done] == [
        ("202702", date(2027, 2, 1)),
        ("202703", date(2027, 3, 2)),
        ("202704", date(2027, 4, 1)),
    ]
    assert rows[0]["contract_type"] == "monthly_plan"
    assert rows[0]["recipient"]["email"] == "taro@example.jp"


async def test_a_plan_that_ended_or_started_this_month_is_not_billed(database, settings):
    clock = FrozenClock(morning(date(2027, 5, 1)))
    ctx, customer = await tenant_with_customer(clock)
    keyring = Keyring.from_settings(settings)
    with tenant_scope(ctx.tenant):
        await monthly_plan(ctx, keyring, customer, 5_000, datetime(2027, 5, 1, 1, tzinfo=UTC))
        assert await run_day(MonthlyPlanInvoices(), ctx.tenant, date(2027, 5, 1)) == 0
        assert await run_day(MonthlyPlanInvoices(), ctx.tenant, date(2027, 5, 4)) == 0


async def plan_with_mandate(settings):
    """A customer's monthly plan (5,000 yen a month) and their mandate, active from 20 January."""
    clock = FrozenClock(morning(date(2027, 1, 10)))
    ctx, customer = await tenant_with_customer(clock)
    with tenant_scope(ctx.tenant):
        await monthly_plan(
            ctx, Keyring.from_settings(settings), customer, 5_000, morning(date(2027, 1, 10))
        )
        mandate = await service.register_mandate(ctx, replace(FORM, customer_id=customer))
        await service.activate_mandate(ctx, mandate, date(2027, 1, 20))
    return ctx, mandate


async def test_the_invoice_joins_the_debit_run_and_the_banks_result_pays_it(database, settings):
    ctx, mandate = await plan_with_mandate(settings)
    with tenant_scope(ctx.tenant):
        for day in (date(2027, 2, 1), date(2027, 2, 2)):  # the catch-up day adds nothing
            await run_day(MonthlyPlanInvoices(), ctx.tenant, day)
        [invoice] = await Invoice.select().where(Invoice.tenant_id == ctx.tenant.id)
        [run] = await Collection.select().where(Collection.tenant_id == ctx.tenant.id)
        assert (run["payable_type"], run["payable_id"], run["amount"]) == (
            "invoice", invoice["id"], 5_500,
        )  # fmt: skip
        assert (run["mandate_id"], run["debit_date"]) == (mandate, date(2027, 2, 27))

        collected = await service.record_result(ctx, run["reference"], "0", "finance")
        for _ in range(2):  # the result file read twice applies once
            await apply_outcome(ctx, collected, "direct_debit")
        [paid] = await Invoice.select().where(Invoice.id == invoice["id"])
        events = await OutboxEvent.select(OutboxEvent.event_type).where(
            (OutboxEvent.tenant_id == ctx.tenant.id) & (OutboxEvent.aggregate_type == "invoice")
        )
    assert (paid["status"], paid["payment_reference"]) == ("paid", run["reference"])
    assert [e["event_type"] for e in events].count("invoice.paid") == 1


async def test_a_failed_debit_leaves_the_invoice_open(database, settings):
    ctx, _ = await plan_with_mandate(settings)
    with tenant_scope(ctx.tenant):
        await run_day(MonthlyPlanInvoices(), ctx.tenant, date(2027, 2, 1))
        [run] = await Collection.select().where(Collection.tenant_id == ctx.tenant.id)
        failed = await service.record_result(ctx, run["reference"], "1", "finance")  # 資金不足
        await apply_outcome(ctx, failed, "direct_debit")
        [invoice] = await Invoice.select().where(Invoice.tenant_id == ctx.tenant.id)
    assert invoice["status"] == "open"


async def _product_code(plan: int) -> str:
    from core.entitlements.tables import Entitlement

    found = await Entitlement.select(Entitlement.product_code).where(Entitlement.id == plan)
    return found[0]["product_code"]
