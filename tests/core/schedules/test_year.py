"""Four customers through a year, day by day on a FrozenClock: every renewal reminder,
renewal charge (with dunning), renewal order and next term, monthly-plan invoice and overdue
reminder happens once, on its day, and nothing else happens.

- a certificate customer: renewal reminders only;
- a wallet customer with two terms: one paid on the second attempt, one never paid;
- a card customer (localstripe): charged on the 5th of the month its term ends;
- a direct-debit monthly-plan customer: an invoice on the 1st of every month.
"""

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from core.billing import invoices
from core.billing.tables import Invoice
from core.billing.terms import PaymentTerm
from core.clock import JST, FrozenClock
from core.context import Context, tenant_scope
from core.contracts.common import PluginAccount
from core.contracts.payments import PaymentRequest, PaymentStart
from core.db import bound_engine
from core.entitlements.tables import Entitlement
from core.orders.tables import Order
from core.payments.renewal_settings import choose_payment_method
from core.payments.tables import AppliedOutcome
from core.schedules.overdue import OverdueReminders
from core.schedules.quote_expiry import QuoteExpiry
from core.schedules.renewal_charges import RenewalCharges
from core.schedules.renewal_reminders import RenewalReminders
from plugins.card.adapter import CardAdapter
from plugins.direct_debit.monthly import MonthlyPlanInvoices
from plugins.wallet import ledger
from plugins.wallet.adapter import WalletAdapter
from tenants.credentials import Keyring
from tenants.customers import create_customer, set_contact
from tests.core.billing.factories import draft
from tests.core.schedules.helpers import (
    add_entitlement,
    events,
    morning,
    run_day,
    tenant_with_customer,
)
from tests.core.schedules.renewals import (
    entitlement_deps,
    fulfil_paid_orders,
    monthly_plan,
    order_deps,
    renewable_term,
)
from tests.plugins.wallet.helpers import PASSWORD, topup_outcome

OVERDUE_STEPS = (1, 7, 30)


@pytest.fixture
async def pooled(database):
    """On PostgreSQL, a connection pool for this test's loop (a year of days is many queries)."""
    engine = bound_engine()
    if database.kind == "postgres":
        await engine.start_connection_pool(min_size=1, max_size=4)
    yield
    if database.kind == "postgres":
        await engine.close_connection_pool()


async def another_customer(ctx: Context, name: str, email: str) -> int:
    customer = await create_customer(
        ctx, name, "104-0061", "東京都", "中央区銀座6-1-10", "03-1111-5153"
    )
    await set_contact(ctx, customer, "billing", "佐藤 次郎", email, "0311115153")
    return customer


async def test_a_year_of_schedules(pooled, settings, account, localstripe):
    start = date(2027, 1, 1)
    clock = FrozenClock(morning(start))
    ctx, customer = await tenant_with_customer(clock)
    t = ctx.tenant.id
    card = CardAdapter(account, api_base=localstripe)
    wallet_adapter = WalletAdapter(PluginAccount())

    async def charger(ctx: Context, method: str, request: PaymentRequest) -> PaymentStart:
        adapter = card if method == "card" else wallet_adapter
        return await adapter.charge_saved(ctx, request)

    with tenant_scope(ctx.tenant):
        wallet = await ledger.open_wallet(ctx, customer, PASSWORD)
        await ledger.set_linked(ctx, wallet.id, True)
        await ledger.top_up(ctx, "card", topup_outcome(wallet.id, 5_000, "pi_first"))
        cert = await add_entitlement(
            ctx,
            customer,
            issued_at=morning(date(2026, 12, 1)),
            expires_at=morning(date(2027, 12, 1)),
        )
        _, paid_late = await renewable_term(  # ends 2027-06-30; renewal day 10; 1st try fails
            ctx, customer, "wallet", 12_000, datetime(2027, 6, 30, 15, tzinfo=UTC), 10
        )
        _, never_paid = await renewable_term(  # ends 2027-09-30; renewal day 20; too dear
            ctx, customer, "wallet", 909_090, datetime(2027, 9, 30, 15, tzinfo=UTC), 20
        )
        card_customer = await another_customer(ctx, "カード株式会社", "card@example.jp")
        saved = await card.save_card(
            ctx.with_key("save-card"), customer_id=card_customer, payment_method="pm_card_visa"
        )
        await choose_payment_method(
            ctx, card_customer, "card", saved_method_ref=saved.saved_method_ref
        )
        _, by_card = await renewable_term(  # ends 2027-10-31: charged on 10-05
            ctx, card_customer, "card", 30_000, datetime(2027, 10, 31, 15, tzinfo=UTC)
        )
        plan_customer = await another_customer(ctx, "月額株式会社", "plan@example.jp")
        plan = await monthly_plan(
            ctx,
            Keyring.from_settings(settings),
            plan_customer,
            5_000,
            morning(date(2026, 12, 10)),
        )
        invoice = await invoices.create_invoice(
            ctx, draft("year-1", term=PaymentTerm.NET30, issue_date=date(2027, 2, 1))
        )
    jobs = [
        RenewalReminders(),
        RenewalCharges(charger, order_deps()),
        MonthlyPlanInvoices(),
        OverdueReminders(),
        QuoteExpiry(),
    ]
    deps = entitlement_deps()
    seen: dict[str, date] = {}
    fulfilled: dict[int, date] = {}
    day = start
    while day <= date(2027, 12, 31):
        clock.set(morning(day))
        if day == date(2027, 6, 11):  # the customer tops up after the failure notice
            with tenant_scope(ctx.tenant):
                await ledger.top_up(ctx, "card", topup_outcome(wallet.id, 20_000, "pi_second"))
        with tenant_scope(ctx.tenant):
            for job in jobs:
                await run_day(job, ctx.tenant, day)
                await run_day(job, ctx.tenant, day)  # a second beat's run: nothing more
            for _ in range(2):  # the order.paid handler, delivered twice
                for order_id in await fulfil_paid_orders(ctx, deps):
                    assert order_id not in fulfilled
                    fulfilled[order_id] = day
        for kind in (
            "renewal.due",
            "renewal.charged",
            "renewal.failed",
            "invoice.overdue",
        ):
            for event in await events(t, kind):
                seen.setdefault(event["idempotency_key"], day)
        day += timedelta(days=1)

    reminders = {k: v for k, v in seen.items() if ":renewal.due:" in k}
    assert reminders == {
        f"{t}:renewal.due:{cert}:90": date(2027, 9, 2),
        f"{t}:renewal.due:{cert}:30": date(2027, 11, 1),
        f"{t}:renewal.due:{cert}:7": date(2027, 11, 24),
        f"{t}:renewal.due:{cert}:1": date(2027, 11, 30),
        # renewed on 06-12 and 10-05: no reminders after that
        f"{t}:renewal.due:{paid_late}:90": date(2027, 4, 2),
        f"{t}:renewal.due:{paid_late}:30": date(2027, 6, 1),
        f"{t}:renewal.due:{by_card}:90": date(2027, 8, 3),
        f"{t}:renewal.due:{by_card}:30": date(2027, 10, 2),
        f"{t}:renewal.due:{never_paid}:90": date(2027, 7, 3),
        f"{t}:renewal.due:{never_paid}:30": date(2027, 9, 1),
        f"{t}:renewal.due:{never_paid}:7": date(2027, 9, 24),
        f"{t}:renewal.due:{never_paid}:1": date(2027, 9, 30),
    }
    charges = {k: v for k, v in seen.items() if ":renewal:" in k}
    assert charges == {
        f"{t}:renewal:{paid_late}:20270630:1": date(2027, 6, 10),  # failed: too little money
        f"{t}:renewal:{paid_late}:20270630:charged": date(2027, 6, 12),  # dunning: 2 days on
        f"{t}:renewal:{by_card}:20271031:charged": date(2027, 10, 5),
        f"{t}:renewal:{never_paid}:20270930:1": date(2027, 9, 20),
        f"{t}:renewal:{never_paid}:20270930:2": date(2027, 9, 22),
        f"{t}:renewal:{never_paid}:20270930:3": date(2027, 9, 23),
    }
    failed = [e["payload"] for e in await events(t, "renewal.failed")]
    assert [(p["attempt"], p["manual"], p.get("next_attempt_on")) for p in failed] == [
        (1, False, "2027/06/12"),
        (1, False, "2027/09/22"),
        (2, False, "2027/09/23"),
        (3, True, None),
    ]
    assert failed[0]["to"] == "taro@example.jp" and failed[0]["amount"] == 13_200
    assert failed[1]["amount"] == 999_999

    with tenant_scope(ctx.tenant):
        assert await ledger.balance(ctx, wallet.id) == 5_000 + 20_000 - 13_200
        orders = await Order.select().where(Order.tenant_id == t).order_by(Order.id)
        applied = await AppliedOutcome.select().where(
            (AppliedOutcome.tenant_id == t) & (AppliedOutcome.payable_type == "order")
        )
        rows = await Entitlement.select().where(Entitlement.tenant_id == t)
        bills = await (
            Invoice.select()
            .where(Invoice.tenant_id == t)
            .order_by(Invoice.seq)
            .output(load_json=True)
        )
    # one renewal order per renewed term, each paid once and fulfilled once
    assert [(o["idempotency_key"], o["total"], o["state"]) for o in orders] == [
        (f"renew:{paid_late}:20270630", 13_200, "fulfilled"),
        (f"renew:{never_paid}:20270930", 999_999, "draft"),
        (f"renew:{by_card}:20271031", 33_000, "fulfilled"),
    ]
    assert {a["payable_id"]: (a["adapter"], a["received"]) for a in applied} == {
        orders[0]["id"]: ("wallet", 13_200),
        orders[2]["id"]: ("card", 33_000),
    }
    assert len(applied) == 2
    assert fulfilled == {orders[0]["id"]: date(2027, 6, 12), orders[2]["id"]: date(2027, 10, 5)}
    state = {r["id"]: (r["state"], r["auto_renew"], r["renewed_from_id"]) for r in rows}
    next_terms = {r["renewed_from_id"]: r for r in rows if r["renewed_from_id"]}
    assert set(next_terms) == {paid_late, by_card}
    assert next_terms[paid_late]["expires_at"] == datetime(2028, 6, 30, 15, tzinfo=UTC)
    assert next_terms[by_card]["expires_at"] == datetime(2028, 10, 31, 15, tzinfo=UTC)
    assert state == {
        cert: ("issued", False, None),
        paid_late: ("renewed", True, None),
        never_paid: ("active", False, None),  # three failures: manual renewal from now on
        by_card: ("renewed", True, None),
        plan: ("active", False, None),
        next_terms[paid_late]["id"]: ("active", True, paid_late),
        next_terms[by_card]["id"]: ("active", True, by_card),
    }

    # the monthly plan: 12 invoices on the 1st, numbered without gaps after the year-1 one
    plan_bills = [b for b in bills if b["source_type"] == "direct_debit_plan"]
    assert [b["issue_date"] for b in plan_bills] == [date(2027, m, 1) for m in range(1, 13)]
    assert [b["seq"] for b in bills] == list(range(1, 14))
    assert {b["grand_total"] for b in plan_bills} == {5_500}
    announced = [e for e in await events(t, "invoice.issued")]
    plan_ids = [b["id"] for b in plan_bills]
    assert sorted(e["payload"]["invoice_id"] for e in announced if e["payload"]["invoice_id"]
                  in plan_ids) == plan_ids  # fmt: skip
    assert {
        e["payload"]["invoice_id"]: e["created_at"].astimezone(JST).date() for e in announced
    } == {b["id"]: b["issue_date"] for b in bills if b["id"] in plan_ids} | {invoice.id: start}
    # overdue reminders: the year-1 invoice and every plan invoice past its due date, once each
    overdue = {k: v for k, v in seen.items() if ":invoice.overdue:" in k}
    expected = {
        f"{t}:invoice.overdue:{invoice.id}:1": date(2027, 3, 4),
        f"{t}:invoice.overdue:{invoice.id}:7": date(2027, 3, 10),
        f"{t}:invoice.overdue:{invoice.id}:30": date(2027, 4, 2),
    }
    for bill in plan_bills:
        for step in OVERDUE_STEPS:
            when = bill["due_date"] + timedelta(days=step)
            if when <= date(2027, 12, 31):
                expected[f"{t}:invoice.overdue:{bill['id']}:{step}"] = when
    assert overdue == expected
    assert (
        Counter(e["idempotency_key"] for e in await events(t, "renewal.due")).most_common(1)[0][1]
        == 1
    )
