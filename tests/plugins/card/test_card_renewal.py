"""Automatic renewal by card against localstripe (the real stripe SDK over HTTP): the saved
card is charged once, on the 5th of the month the term ends, for the renewal order's total;
a declined card is tried again on the 7th and 8th, each failure mailed, then manual renewal."""

from datetime import UTC, date, datetime, timedelta

from core.clock import FrozenClock
from core.context import Context, tenant_scope
from core.contracts.payments import PaymentRequest, PaymentStart, PaymentState
from core.entitlements.tables import Entitlement
from core.messaging.branding import Branding
from core.messaging.rendering import MailRenderer
from core.orders.tables import Order
from core.payments.renewal_settings import choose_payment_method
from core.plugins import build_plugin_manager
from core.schedules.renewal_charges import RenewalCharges
from plugins.card.adapter import CardAdapter
from tenants.customers import create_customer, set_contact
from tests.core.schedules.helpers import events, morning, run_day, tenant_with_customer
from tests.core.schedules.renewals import (
    entitlement_deps,
    fulfil_paid_orders,
    order_deps,
    renewable_term,
)

TERM_ENDS = datetime(2027, 6, 30, 15, tzinfo=UTC)  # the term's last day is 2027-06-30 (JST)


async def test_a_saved_card_renews_on_the_fifth_and_a_declined_one_goes_manual(
    database, account, localstripe
):
    clock = FrozenClock(morning(date(2027, 6, 1)))
    ctx, good = await tenant_with_customer(clock)
    t = ctx.tenant.id
    adapter = CardAdapter(account, api_base=localstripe)
    calls: list[tuple[str, PaymentRequest, PaymentStart]] = []

    async def charger(ctx: Context, method: str, request: PaymentRequest) -> PaymentStart:
        assert method == "card"
        started = await adapter.charge_saved(ctx, request)
        calls.append((ctx.idempotency_key, request, started))
        return started

    with tenant_scope(ctx.tenant):
        bad = await create_customer(
            ctx, "払えない株式会社", "104-0061", "東京都", "中央区銀座1-1-1", "03-1111-0000"
        )
        await set_contact(ctx, bad, "billing", "山田 花子", "hanako@example.jp", "0311110000")
        terms = {}
        for customer, card in ((good, "pm_card_visa"), (bad, "pm_card_chargeCustomerFail")):
            saved = await adapter.save_card(
                ctx.with_key(f"save:{customer}"), customer_id=customer, payment_method=card
            )
            assert saved.state is PaymentState.SUCCEEDED and saved.saved_method_ref
            await choose_payment_method(
                ctx, customer, "card", saved_method_ref=saved.saved_method_ref
            )
            _, terms[customer] = await renewable_term(ctx, customer, "card", 12_000, TERM_ENDS)

        job = RenewalCharges(charger, order_deps())
        day = date(2027, 6, 1)
        while day <= date(2027, 6, 30):
            await run_day(job, ctx.tenant, day)
            await run_day(job, ctx.tenant, day)  # a second beat: nothing more
            day += timedelta(days=1)
        orders = {o["customer_id"]: o for o in await Order.select().where(Order.tenant_id == t)}
        assert await fulfil_paid_orders(ctx, entitlement_deps()) == [orders[good]["id"]]
        rows = await Entitlement.select().where(Entitlement.tenant_id == t).order_by(Entitlement.id)

    # the good card: charged once, on the 5th, for the renewal order's total, through Stripe
    good_calls = [c for c in calls if c[1].customer_id == good]
    assert len(good_calls) == 1
    key, request, started = good_calls[0]
    assert key == f"renew:{terms[good]}:20270630:1" and started.state is PaymentState.SUCCEEDED
    assert (request.payable_type, request.payable_id, request.amount) == (
        "order", orders[good]["id"], 13_200
    )  # fmt: skip
    intent = await adapter.client.v1.payment_intents.retrieve_async(started.reference)
    assert (intent.status, intent.amount, intent.currency) == ("succeeded", 13_200, "jpy")
    assert intent.metadata["payable_id"] == str(orders[good]["id"])
    charged = await events(t, "renewal.charged")
    assert [(e["payload"]["entitlement_id"], e["created_at"].date()) for e in charged] == [
        (terms[good], date(2027, 6, 5))
    ]
    assert (orders[good]["state"], orders[bad]["state"]) == ("paid", "draft")  # before fulfil
    by_id = {r["id"]: r for r in rows}
    assert by_id[terms[good]]["state"] == "renewed"
    (new,) = [r for r in rows if r["renewed_from_id"] == terms[good]]
    assert new["state"] == "active" and new["expires_at"] == datetime(2028, 6, 30, 15, tzinfo=UTC)

    # the declined card: attempts on the 5th, 7th and 8th, each mailed; then manual renewal
    bad_calls = [c for c in calls if c[1].customer_id == bad]
    assert [(c[0], c[2].state) for c in bad_calls] == [
        (f"renew:{terms[bad]}:20270630:{n}", PaymentState.FAILED) for n in (1, 2, 3)
    ]
    assert {c[1].payable_id for c in bad_calls} == {orders[bad]["id"]}  # one order, one price
    failed = await events(t, "renewal.failed")
    assert [(e["created_at"].date(), e["payload"]["manual"]) for e in failed] == [
        (date(2027, 6, 5), False),
        (date(2027, 6, 7), False),
        (date(2027, 6, 8), True),
    ]
    assert by_id[terms[bad]]["auto_renew"] is False and by_id[terms[bad]]["state"] == "active"
    renderer = MailRenderer(build_plugin_manager(load_entrypoints=False))
    first = failed[0]["payload"]
    assert first["to"] == "hanako@example.jp"
    mail = renderer.render("renewal.failed", "ja", Branding(name="しょうめい"), first)
    assert "2027/06/07 に再度お支払いを試みます" in mail.text and "13,200円" in mail.text
    last = renderer.render(
        "renewal.failed", "ja", Branding(name="しょうめい"), failed[2]["payload"]
    )
    assert "手動更新に切り替えました" in last.text
