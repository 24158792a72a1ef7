"""Money for a payable other than an order (a wallet top-up) is recorded once and announced
once as ``payment.received`` for its owner; a failure of one is only recorded."""

from core.contracts.payments import PaymentOutcome, PaymentState
from core.payments.ledger import apply_outcome
from core.tables import OutboxEvent
from tests.core.catalog.helpers import make_ctx


async def announced(ctx, event_type: str) -> list[dict]:
    return await (
        OutboxEvent.select()
        .where((OutboxEvent.tenant_id == ctx.tenant.id) & (OutboxEvent.event_type == event_type))
        .output(load_json=True)
        .run()
    )


async def test_a_top_up_outcome_is_received_and_announced_once(database):
    ctx = make_ctx()
    outcome = PaymentOutcome(PaymentState.SUCCEEDED, "pi_topup_1", "wallet_topup", 12, 5_000)
    first = await apply_outcome(ctx, outcome, "card")
    again = await apply_outcome(ctx, outcome, "card")
    assert (first.applied, first.effect, first.received) == (True, "received", 5_000)
    assert (again.applied, again.effect) == (False, "received")
    [event] = await announced(ctx, "payment.received")
    assert event["payload"]["payable_type"] == "wallet_topup"
    assert (event["payload"]["payable_id"], event["payload"]["amount"]) == (12, 5_000)
    assert event["payload"]["adapter"] == "card"


async def test_a_failed_top_up_is_recorded_and_not_received(database):
    ctx = make_ctx()
    outcome = PaymentOutcome(PaymentState.FAILED, "pi_2:failed:x", "wallet_topup", 12, 5_000)
    applied = await apply_outcome(ctx, outcome, "card")
    assert (applied.effect, applied.received) == ("recorded", 0)
    assert await announced(ctx, "payment.received") == []
    assert len(await announced(ctx, "payment.failed")) == 1
