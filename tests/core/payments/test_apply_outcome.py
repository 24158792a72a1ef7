"""apply_outcome: once per (tenant, adapter, reference), through the state machine, in one
transaction with its outbox events."""

import pytest

from core.billing.invoices import create_invoice, get_invoice
from core.contracts.payments import PaymentOutcome, PaymentState
from core.errors import NotFound
from core.orders.lifecycle import transition
from core.orders.states import OrderState
from core.orders.views import get_order
from core.payments.ledger import apply_outcome, order_payment
from core.tables import OutboxEvent
from tests.core.billing.factories import draft
from tests.core.catalog.helpers import make_ctx
from tests.core.payments.helpers import new_order


async def events(ctx, *types: str) -> list[dict]:
    query = OutboxEvent.select().where(OutboxEvent.tenant_id == ctx.tenant.id)
    rows = await query.order_by(OutboxEvent.id).output(load_json=True).run()
    return [row for row in rows if not types or row["event_type"] in types]


def paid(order_id: int, amount: int, reference: str = "pi_1", state=PaymentState.SUCCEEDED):
    return PaymentOutcome(state, reference, "order", order_id, amount)


async def test_a_success_pays_the_order_once_and_announces_it_once(database):
    ctx = make_ctx()
    order = await new_order(ctx, payment_method="card")
    first = await apply_outcome(ctx, paid(order.id, order.total), "card")
    assert first.applied and first.effect == "paid" and first.remaining_due == 0
    for _ in range(4):
        again = await apply_outcome(ctx, paid(order.id, order.total), "card")
        assert not again.applied and again.effect == "paid"
    assert (await get_order(ctx, order.id)).state is OrderState.PAID
    assert [e["event_type"] for e in await events(ctx, "order.paid", "payment.confirmed")] == [
        "order.paid",
        "payment.confirmed",
    ]
    (confirmed,) = await events(ctx, "payment.confirmed")
    assert confirmed["payload"]["order_number"] == order.number  # ORD-<year>-NNNNNN
    assert confirmed["payload"]["amount"] == order.total


async def test_the_same_reference_of_another_adapter_or_tenant_is_another_outcome(database):
    ctx, other = make_ctx(), make_ctx()
    order = await new_order(ctx, payment_method="card")
    await apply_outcome(ctx, paid(order.id, 100, "ref-1", PaymentState.PARTIAL), "card")
    second = await apply_outcome(
        ctx, paid(order.id, 100, "ref-1", PaymentState.PARTIAL), "bank_transfer"
    )
    assert second.applied
    assert (await order_payment(ctx, order.id)).received == 200
    with pytest.raises(NotFound):  # tenant B cannot pay (or even name) tenant A's order
        await apply_outcome(other, paid(order.id, order.total, "ref-2"), "card")
    assert (await order_payment(ctx, order.id)).received == 200


async def test_a_partial_payment_leaves_the_order_awaiting_with_the_remaining_due(database):
    ctx = make_ctx()
    order = await new_order(ctx)
    result = await apply_outcome(ctx, paid(order.id, 4_000, "z1", PaymentState.PARTIAL), "x")
    assert result.effect == "partial" and result.remaining_due == order.total - 4_000
    assert (await get_order(ctx, order.id)).state is OrderState.AWAITING_PAYMENT
    (partial,) = await events(ctx, "payment.partial")
    assert partial["payload"]["remaining_due"] == order.total - 4_000
    rest = await apply_outcome(ctx, paid(order.id, order.total - 4_000, "z2"), "x")
    assert rest.effect == "paid"
    assert (await get_order(ctx, order.id)).state is OrderState.PAID


async def test_an_over_payment_pays_the_order_and_records_the_surplus(database):
    ctx = make_ctx()
    order = await new_order(ctx)
    result = await apply_outcome(ctx, paid(order.id, order.total + 500), "bank_transfer")
    assert result.effect == "overpaid" and result.surplus == 500
    assert (await order_payment(ctx, order.id)).surplus == 500
    assert (await get_order(ctx, order.id)).state is OrderState.PAID
    assert len(await events(ctx, "payment.overpaid")) == 1


async def test_money_for_an_order_already_paid_is_all_surplus(database):
    ctx = make_ctx()
    order = await new_order(ctx, payment_method="card")
    await apply_outcome(ctx, paid(order.id, order.total, "pi_a"), "card")
    second = await apply_outcome(ctx, paid(order.id, order.total, "pi_b"), "card")
    assert second.effect == "surplus" and second.surplus == order.total
    assert len(await events(ctx, "order.paid")) == 1


async def test_a_late_failure_is_recorded_and_leaves_the_paid_order_alone(database):
    ctx = make_ctx()
    order = await new_order(ctx, payment_method="card")
    await apply_outcome(ctx, paid(order.id, order.total, "pi_1"), "card")
    failed = paid(order.id, order.total, "pi_0:failed:ch_0", PaymentState.FAILED)
    result = await apply_outcome(ctx, failed, "card")
    assert result.applied and result.effect == "recorded" and result.received == 0
    assert (await get_order(ctx, order.id)).state is OrderState.PAID
    assert len(await events(ctx, "payment.failed")) == 1


async def test_a_draft_order_goes_through_awaiting_payment(database):
    ctx = make_ctx()
    order = await new_order(ctx, payment_method="card", awaiting=False)
    await apply_outcome(ctx, paid(order.id, order.total), "card")
    moves = [(e["payload"]["from"], e["payload"]["to"]) for e in await events(ctx)
             if e["event_type"].startswith("order.") and "from" in e["payload"]]  # fmt: skip
    assert moves == [("draft", "awaiting_payment"), ("awaiting_payment", "paid")]


async def test_the_orders_open_invoice_is_marked_paid(database):
    ctx = make_ctx()
    order = await new_order(ctx, payment_method="card")
    invoice = await create_invoice(ctx, draft(source_id=str(order.id)))
    await apply_outcome(ctx, paid(order.id, order.total, "pi_inv"), "card")
    found = await get_invoice(ctx, invoice.id)
    assert found.status == "paid"


async def test_waiting_states_are_not_outcomes(database):
    ctx = make_ctx()
    order = await new_order(ctx, payment_method="card")
    with pytest.raises(ValueError):
        await apply_outcome(ctx, paid(order.id, 1, "pi_w", PaymentState.PENDING), "card")


async def test_a_cancelled_order_is_not_revived_by_money(database):
    ctx = make_ctx()
    order = await new_order(ctx)
    await transition(ctx, order.id, OrderState.CANCELLED)
    result = await apply_outcome(ctx, paid(order.id, order.total, "late"), "bank_transfer")
    assert result.effect == "surplus"
    assert (await get_order(ctx, order.id)).state is OrderState.CANCELLED
