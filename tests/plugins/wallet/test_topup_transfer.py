"""A wallet top-up paid by bank transfer: instructions, a hand-made Zengin file, one credit
through the engine's outcome ledger however often the file or the event comes back."""

from __future__ import annotations

import pytest

from core.outbox_relay import deliver_pending
from core.payments.transfers import import_zengin, payable_expectation
from core.tables import OutboxEvent
from plugins.wallet import ledger
from plugins.wallet.topups import on_payment_received, start_bank_topup
from tests.core.payments.helpers import BANK_ACCOUNT
from tests.plugins.bank_transfer.builder import Transfer, notice_file
from tests.plugins.wallet.helpers import PASSWORD, assert_ledger_ok, context

pytestmark = pytest.mark.usefixtures("database")
HANDLERS = {"payment.received": [on_payment_received]}


async def received_events(ctx) -> list[dict]:
    return await (
        OutboxEvent.select()
        .where(
            (OutboxEvent.tenant_id == ctx.tenant.id)
            & (OutboxEvent.event_type == "payment.received")
        )
        .output(load_json=True)
    )


async def test_a_bank_transfer_top_up_credits_the_wallet_once() -> None:
    ctx = context()
    wallet = await ledger.open_wallet(ctx, 41, PASSWORD)
    expected = await start_bank_topup(ctx, wallet, 5_000, BANK_ACCOUNT)
    assert expected.amount == 5_000 and expected.instructions["amount"] == 5_000
    assert len(expected.payer_reference) == 6
    data = notice_file([Transfer(5_000, f"{expected.payer_reference} ﾔﾏﾀﾞ ﾀﾛｳ")])

    first = await import_zengin(ctx, data)
    assert first.changed and [p.effect for p in first.payments] == ["received"]
    assert await payable_expectation(ctx, "wallet_topup", wallet.id) is None  # settled
    report = await deliver_pending(ctx.tenant, HANDLERS, ctx.clock)
    assert report.failed == []
    assert await ledger.balance(ctx, wallet.id) == 5_000

    # the same file again, the same lines in another file, the event handled again
    assert not (await import_zengin(ctx, data)).changed
    lf_copy = await import_zengin(ctx, data.replace(b"\r\n", b"\n"))
    assert lf_copy.new_lines == 0 and lf_copy.payments == ()
    [event] = await received_events(ctx)
    await on_payment_received(ctx, type("Event", (), {"payload": event["payload"]})())
    await deliver_pending(ctx.tenant, HANDLERS, ctx.clock)
    assert await ledger.balance(ctx, wallet.id) == 5_000
    assert len(await received_events(ctx)) == 1
    await assert_ledger_ok(ctx)


async def test_what_arrives_is_credited_and_a_new_top_up_can_follow() -> None:
    ctx = context()
    wallet = await ledger.open_wallet(ctx, 42, PASSWORD)
    expected = await start_bank_topup(ctx, wallet, 10_000, BANK_ACCOUNT)
    again = await start_bank_topup(ctx, wallet, 3_000, BANK_ACCOUNT)  # asked again: replaced
    assert again.payer_reference == expected.payer_reference and again.amount == 3_000
    await import_zengin(ctx, notice_file([Transfer(3_500, f"{expected.payer_reference}ｽｽﾞｷ")]))
    await deliver_pending(ctx.tenant, HANDLERS, ctx.clock)
    assert await ledger.balance(ctx, wallet.id) == 3_500  # the whole transfer is the wallet's
    second = await start_bank_topup(ctx, wallet, 2_000, BANK_ACCOUNT)
    data = notice_file([Transfer(2_000, f"{second.payer_reference} ｽｽﾞｷ", inquiry=2)])
    await import_zengin(ctx, data)
    await deliver_pending(ctx.tenant, HANDLERS, ctx.clock)
    assert await ledger.balance(ctx, wallet.id) == 5_500
    await assert_ledger_ok(ctx)


@pytest.mark.parametrize("amount", [0, -5, 1_000_001, "500"])
async def test_a_top_up_amount_outside_the_limits_is_refused(amount) -> None:
    from core.errors import ValidationFailed

    ctx = context()
    wallet = await ledger.open_wallet(ctx, 43, PASSWORD)
    with pytest.raises(ValidationFailed) as refused:
        await start_bank_topup(ctx, wallet, amount, BANK_ACCOUNT)
    assert refused.value.errors[0].field == "amount"
