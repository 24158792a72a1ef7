"""A successful automatic renewal charge renews through the order engine: one renewal order
(same product, the retail price of its first attempt), its payment applied once, the next
term fulfilled with ``renewed_from_id`` and the old term ``renewed``, whatever crashes."""

from datetime import UTC, date, datetime

import pytest

from core.catalog.retail import set_retail_price
from core.clock import FrozenClock
from core.context import Context, tenant_scope
from core.contracts.common import PluginAccount, Price
from core.contracts.payments import PaymentRequest, PaymentStart
from core.entitlements.tables import Entitlement
from core.orders.lifecycle import transition
from core.orders.states import OrderState
from core.orders.tables import Order
from core.payments.tables import AppliedOutcome
from core.schedules.marks import marks
from core.schedules.renewal_charges import RenewalCharges
from plugins.wallet import ledger
from plugins.wallet.adapter import WalletAdapter
from tests.core.schedules.helpers import events, morning, run_day, tenant_with_customer
from tests.core.schedules.renewals import (
    entitlement_deps,
    fulfil_paid_orders,
    order_deps,
    renewable_term,
)
from tests.plugins.wallet.helpers import PASSWORD, topup_outcome

TERM_ENDS = datetime(2027, 6, 30, 15, tzinfo=UTC)  # 2027-07-01 00:00 JST: the term ends 06-30


async def wallet_charger(ctx: Context, method: str, request: PaymentRequest) -> PaymentStart:
    return await WalletAdapter(PluginAccount()).charge_saved(ctx, request)


class CrashAfterCharge:
    """Charges, then dies before the result is applied (a worker killed mid-task)."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, ctx: Context, method: str, request: PaymentRequest) -> PaymentStart:
        self.calls += 1
        await wallet_charger(ctx, method, request)
        raise RuntimeError("worker killed")


async def test_a_charged_renewal_is_one_paid_order_and_one_next_term(database):
    clock = FrozenClock(morning(date(2027, 6, 1)))
    ctx, customer = await tenant_with_customer(clock)
    t = ctx.tenant.id
    deps = entitlement_deps()
    with tenant_scope(ctx.tenant):
        wallet = await ledger.open_wallet(ctx, customer, PASSWORD)
        await ledger.set_linked(ctx, wallet.id, True)
        await ledger.top_up(ctx, "card", topup_outcome(wallet.id, 5_000, "pi_one"))
        product, old = await renewable_term(ctx, customer, "wallet", 12_000, TERM_ENDS, 10)

        job = RenewalCharges(wallet_charger, order_deps())
        await run_day(job, ctx.tenant, date(2027, 6, 10))  # too little money: attempt 1 fails
        orders = await Order.select().where(Order.tenant_id == t)
        assert [(o["idempotency_key"], o["state"], o["total"]) for o in orders] == [
            (f"renew:{old}:20270630", "draft", 13_200)
        ]
        await set_retail_price(ctx, product, 12, Price(20_000))  # the order keeps its price
        await ledger.top_up(ctx, "card", topup_outcome(wallet.id, 20_000, "pi_two"))

        crashing = RenewalCharges(CrashAfterCharge(), order_deps())
        with pytest.raises(RuntimeError):
            await run_day(crashing, ctx.tenant, date(2027, 6, 12))
        assert await ledger.balance(ctx, wallet.id) == 25_000 - 13_200
        assert not await events(t, "renewal.charged")

        await run_day(job, ctx.tenant, date(2027, 6, 12))  # the retry: same key, same payment
        await run_day(job, ctx.tenant, date(2027, 6, 12))  # a second beat: nothing more
        await run_day(job, ctx.tenant, date(2027, 6, 13))
        assert await ledger.balance(ctx, wallet.id) == 25_000 - 13_200
        order = (await Order.select().where(Order.tenant_id == t))[0]
        assert order["state"] == "paid"
        applied = await AppliedOutcome.select().where(
            (AppliedOutcome.tenant_id == t) & (AppliedOutcome.payable_id == order["id"])
        )
        assert [(a["adapter"], a["effect"], a["received"]) for a in applied] == [
            ("wallet", "paid", 13_200)
        ]
        charged = [e["payload"] for e in await events(t, "renewal.charged")]
        assert [(p["order_id"], p["amount"], p["attempt"]) for p in charged] == [
            (order["id"], 13_200, 2)
        ]
        assert len(await events(t, "order.paid")) == 1
        assert [m["step"] for m in await marks(ctx, job.name, old)] == ["1", "2", "done"]

        assert await fulfil_paid_orders(ctx, deps) == [order["id"]]
        assert await fulfil_paid_orders(ctx, deps) == []  # fulfilled once
        rows = await Entitlement.select().where(Entitlement.tenant_id == t).order_by(Entitlement.id)
    assert [(r["id"], r["state"], r["renewed_from_id"]) for r in rows] == [
        (old, "renewed", None),
        (rows[1]["id"], "active", old),
    ]
    new = rows[1]
    assert new["order_id"] == order["id"] and new["product_code"] == rows[0]["product_code"]
    assert new["expires_at"] == datetime(2028, 6, 30, 15, tzinfo=UTC)
    assert (new["auto_renew"], new["payment_method"], new["renewal_day"]) == (True, "wallet", 10)


async def test_a_renewal_the_engine_cannot_price_is_not_charged_and_turns_manual(database):
    clock = FrozenClock(morning(date(2027, 6, 5)))
    ctx, customer = await tenant_with_customer(clock)
    calls: list[PaymentRequest] = []

    async def charger(ctx: Context, method: str, request: PaymentRequest) -> PaymentStart:
        calls.append(request)
        raise AssertionError("nothing may be charged")

    with tenant_scope(ctx.tenant):
        _, ent = await renewable_term(ctx, customer, "card", 12_000, TERM_ENDS)
        await Entitlement.update({Entitlement.product_code: "GONE"}).where(Entitlement.id == ent)
        job = RenewalCharges(charger, order_deps())
        await run_day(job, ctx.tenant, date(2027, 6, 5))
        await run_day(job, ctx.tenant, date(2027, 6, 7))
        row = await Entitlement.select(Entitlement.auto_renew).where(Entitlement.id == ent)
        done = await marks(ctx, job.name, ent)
    assert calls == [] and row[0]["auto_renew"] is False
    assert [(m["step"], m["detail"]["unpriced"]) for m in done] == [
        ("done", ["schedules.renewal.product_unknown"])
    ]
    assert not await Order.select().where(Order.tenant_id == ctx.tenant.id)


async def test_a_renewal_order_cancelled_by_staff_is_not_charged_again(database):
    clock = FrozenClock(morning(date(2027, 6, 10)))
    ctx, customer = await tenant_with_customer(clock)
    t = ctx.tenant.id
    with tenant_scope(ctx.tenant):
        wallet = await ledger.open_wallet(ctx, customer, PASSWORD)
        await ledger.set_linked(ctx, wallet.id, True)
        _, ent = await renewable_term(ctx, customer, "wallet", 12_000, TERM_ENDS, 10)
        job = RenewalCharges(wallet_charger, order_deps())
        await run_day(job, ctx.tenant, date(2027, 6, 10))  # an empty wallet: attempt 1 fails
        order = (await Order.select(Order.id).where(Order.tenant_id == t))[0]["id"]
        await transition(ctx, order, OrderState.CANCELLED, "customer called")
        await ledger.top_up(ctx, "card", topup_outcome(wallet.id, 20_000, "pi_late"))
        await run_day(job, ctx.tenant, date(2027, 6, 12))
        await run_day(job, ctx.tenant, date(2027, 6, 13))
        done = await marks(ctx, job.name, ent)
        row = await Entitlement.select(Entitlement.auto_renew).where(Entitlement.id == ent)
        assert await ledger.balance(ctx, wallet.id) == 20_000
    assert [(m["step"], m["detail"].get("unpriced")) for m in done] == [
        ("1", None),
        ("done", ["schedules.renewal.order_closed"]),
    ]
    assert row[0]["auto_renew"] is False and not await events(t, "renewal.charged")
