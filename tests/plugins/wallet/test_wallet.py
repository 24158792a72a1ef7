"""The wallet: ledger, top-ups, payments, refunds, lockout, isolation, and concurrent debits."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest
from piccolo.engine.postgres import PostgresEngine

from core.clock import FrozenClock
from core.contracts.payments import PaymentAdapter, PaymentOutcome, PaymentState
from core.db import bound_engine
from core.errors import NotFound, ValidationFailed
from core.plugins import Registry, build_plugin_manager
from plugins.wallet import ledger
from plugins.wallet.adapter import WalletAdapter, check_renewal_day
from plugins.wallet.tables import LedgerTransaction, Posting, WalletBalance
from tests.plugins.wallet.helpers import (
    PASSWORD,
    WHEN,
    adapter,
    assert_ledger_ok,
    context,
    funded_wallet,
    order,
    topup_outcome,
)

pytestmark = pytest.mark.usefixtures("database")


def message_ids(error: ValidationFailed) -> list[str]:
    return [e.message_id for e in error.errors]


def test_registered_and_satisfies_the_contract() -> None:
    registry = Registry(build_plugin_manager(load_entrypoints=False))
    assert registry.payment_adapter("wallet") is WalletAdapter
    assert isinstance(adapter(), PaymentAdapter)
    assert WalletAdapter.supports_recurring is True


def test_renewal_day_must_be_one_of_five() -> None:
    assert [check_renewal_day(d) for d in (5, 10, 15, 20, 25)] == [5, 10, 15, 20, 25]
    for bad in (1, 4, 30, "5", None, True):
        with pytest.raises(ValidationFailed) as caught:
            check_renewal_day(bad)
        assert message_ids(caught.value) == ["wallet.renewal_day_invalid"]


async def test_top_up_is_idempotent_on_the_other_adapters_reference() -> None:
    ctx = context()
    wallet = await funded_wallet(ctx, 0)
    first = await ledger.top_up(ctx, "card", topup_outcome(wallet.id, 5000, "pi_123"))
    again = await ledger.top_up(ctx, "card", topup_outcome(wallet.id, 5000, "pi_123"))
    await assert_ledger_ok(ctx)
    assert first.created and not again.created
    assert again.transaction_id == first.transaction_id
    assert await ledger.balance(ctx, wallet.id) == 5000
    # the same reference from another adapter is another payment
    await ledger.top_up(ctx, "bank_transfer", topup_outcome(wallet.id, 3000, "pi_123"))
    await assert_ledger_ok(ctx)
    assert await ledger.balance(ctx, wallet.id) == 8000
    assert await ledger.derived_balance(ctx, wallet.id) == 8000
    concurrent = await asyncio.gather(
        *(ledger.top_up(ctx, "card", topup_outcome(wallet.id, 100, "pi_race")) for _ in range(8))
    )
    assert sum(p.created for p in concurrent) == 1
    assert await ledger.balance(ctx, wallet.id) == 8100
    await assert_ledger_ok(ctx)


async def test_top_up_refuses_what_is_not_a_paid_top_up() -> None:
    ctx = context()
    wallet = await funded_wallet(ctx, 0)
    cases = [
        ("wallet", topup_outcome(wallet.id, 10, "r1"), "wallet.topup_source_invalid"),
        (
            "card",
            replace(topup_outcome(wallet.id, 10, "r2"), payable_type="order"),
            "wallet.topup_not_a_topup",
        ),
        (
            "card",
            replace(topup_outcome(wallet.id, 10, "r3"), state=PaymentState.PENDING),
            "wallet.topup_not_paid",
        ),
    ]
    for source, outcome, message in cases:
        with pytest.raises(ValidationFailed) as caught:
            await ledger.top_up(ctx, source, outcome)
        assert message_ids(caught.value) == [message]
    with pytest.raises(ledger.LedgerKeyReused):
        await ledger.top_up(ctx, "card", topup_outcome(wallet.id, 10, "again"))
        await ledger.top_up(ctx, "card", topup_outcome(wallet.id, 11, "again"))
    assert await ledger.balance(ctx, wallet.id) == 10
    await assert_ledger_ok(ctx)


async def test_pay_authenticate_confirm_debit_then_linked() -> None:
    ctx = context("order-1:pay")
    wallet = await funded_wallet(ctx, 10_000, customer_id=7)
    wallets = adapter()
    start = await wallets.start(ctx, order(7, 3300))
    assert start.state is PaymentState.REQUIRES_ACTION
    assert start.redirect_url and start.redirect_url.startswith("https://panel.example.jp/wallet/")
    assert start.instructions["linked"] is False
    assert (await wallets.start(ctx, order(7, 3300))).reference == start.reference  # idempotent
    payment_id = start.instructions["payment_id"]

    with pytest.raises(ValidationFailed) as caught:  # not linked: the password is needed
        await wallets.confirm(ctx, {"payment_id": payment_id, "confirmed_amount": 3300})
    assert message_ids(caught.value) == ["wallet.authentication_required"]
    with pytest.raises(ValidationFailed) as caught:  # the amount shown must be confirmed
        await wallets.confirm(
            ctx,
            {
                "payment_id": payment_id,
                "confirmed_amount": 3000,
                "wallet_id": wallet.wallet_code,
                "password": PASSWORD,
            },
        )
    assert message_ids(caught.value) == ["wallet.amount_mismatch"]

    evidence = {
        "payment_id": payment_id,
        "confirmed_amount": 3300,
        "wallet_id": wallet.wallet_code,
        "password": PASSWORD,
    }
    [outcome] = await wallets.confirm(ctx, evidence)
    await assert_ledger_ok(ctx)
    assert outcome.state is PaymentState.SUCCEEDED
    assert (outcome.payable_type, outcome.payable_id, outcome.amount) == ("order", 1, 3300)
    assert outcome.reference.startswith("wallet-txn:")
    assert await ledger.balance(ctx, wallet.id) == 6700
    assert await wallets.confirm(ctx, evidence) == [outcome]  # applied once, reported again
    assert await wallets.confirm(ctx, {"transaction_reference": outcome.reference}) == [outcome]
    assert await ledger.balance(ctx, wallet.id) == 6700

    # the wallet is linked now: the next payment skips ID and password
    second = await wallets.start(ctx.with_key("order-2:pay"), order(7, 1100, order_id=2))
    assert second.instructions["linked"] is True
    [paid] = await wallets.confirm(
        ctx, {"payment_id": second.instructions["payment_id"], "confirmed_amount": 1100}
    )
    assert paid.state is PaymentState.SUCCEEDED
    assert await ledger.balance(ctx, wallet.id) == 5600
    await assert_ledger_ok(ctx)


async def test_insufficient_balance_fails_and_posts_nothing() -> None:
    ctx = context("order-9:pay")
    wallet = await funded_wallet(ctx, 1000, customer_id=3)
    await ledger.set_linked(ctx, wallet.id, True)
    wallets = adapter()
    start = await wallets.start(ctx, order(3, 1001))
    evidence = {"payment_id": start.instructions["payment_id"], "confirmed_amount": 1001}
    [first] = await wallets.confirm(ctx, evidence)
    [second] = await wallets.confirm(ctx, evidence)
    assert first.state is second.state is PaymentState.FAILED
    assert first.reference != second.reference  # each refusal is its own fact
    assert await ledger.balance(ctx, wallet.id) == 1000
    kinds = await LedgerTransaction.select(LedgerTransaction.kind).where(
        LedgerTransaction.tenant_id == ctx.tenant.id
    )
    assert [k["kind"] for k in kinds] == ["topup"]
    await assert_ledger_ok(ctx)
    # after a top-up the same payment succeeds
    await ledger.top_up(ctx, "bank_transfer", topup_outcome(wallet.id, 1, "zengin:1"))
    [third] = await wallets.confirm(ctx, evidence)
    assert third.state is PaymentState.SUCCEEDED
    assert await ledger.balance(ctx, wallet.id) == 0
    await assert_ledger_ok(ctx)


async def test_refund_restores_the_balance_and_never_exceeds_the_payment() -> None:
    ctx = context("renew:1:20251130")
    wallet = await funded_wallet(ctx, 5000, customer_id=4)
    await ledger.set_linked(ctx, wallet.id, True)
    wallets = adapter()
    charged = await wallets.charge_saved(
        ctx, replace(order(4, 3000), saved_method_ref=wallet.wallet_code)
    )
    assert charged.state is PaymentState.SUCCEEDED
    assert await wallets.charge_saved(ctx, order(4, 3000)) == charged  # same key, one debit
    assert await ledger.balance(ctx, wallet.id) == 2000
    await assert_ledger_ok(ctx)

    part = await wallets.refund(ctx.with_key("refund-1"), charged.reference, 1000)
    assert (part.state, part.amount) == (PaymentState.PARTIAL, 1000)
    assert await wallets.refund(ctx.with_key("refund-1"), charged.reference, 1000) == part
    assert await ledger.balance(ctx, wallet.id) == 3000
    await assert_ledger_ok(ctx)
    results = await asyncio.gather(
        *(wallets.refund(ctx.with_key(f"race-{n}"), charged.reference, 1500) for n in range(4)),
        return_exceptions=True,
    )
    done = [r for r in results if not isinstance(r, BaseException)]
    assert len(done) == 1 and done[0].state is PaymentState.PARTIAL
    for refused in (r for r in results if isinstance(r, BaseException)):
        assert isinstance(refused, ValidationFailed)
        assert message_ids(refused) == ["wallet.refund_exceeds_payment"]
    rest = await wallets.refund(ctx.with_key("refund-last"), charged.reference, 500)
    assert rest.state is PaymentState.REFUNDED
    assert await ledger.balance(ctx, wallet.id) == 5000
    await assert_ledger_ok(ctx)
    with pytest.raises(ValidationFailed):
        await wallets.refund(ctx.with_key("refund-too-much"), charged.reference, 1)


async def test_charge_saved_fails_without_a_linked_wallet_or_money() -> None:
    ctx = context("renew:2:20251130")
    wallet = await funded_wallet(ctx, 500, customer_id=5)
    wallets = adapter()
    unlinked = await wallets.charge_saved(ctx, order(5, 100))
    assert unlinked.state is PaymentState.FAILED
    await ledger.set_linked(ctx, wallet.id, True)
    poor = await wallets.charge_saved(ctx.with_key("renew:2:20261130"), order(5, 501))
    assert poor.state is PaymentState.FAILED
    other = await wallets.charge_saved(
        ctx.with_key("renew:2:20271130"), replace(order(5, 100), saved_method_ref="0000000000")
    )
    assert other.state is PaymentState.FAILED
    assert await ledger.balance(ctx, wallet.id) == 500
    await assert_ledger_ok(ctx)


async def test_wrong_password_refused_then_locked_until_the_clock_moves() -> None:
    clock = FrozenClock(WHEN)
    ctx = context(clock=clock)
    wallet = await funded_wallet(ctx, 0, customer_id=8)
    for _ in range(4):
        with pytest.raises(ValidationFailed) as caught:
            await ledger.authenticate(ctx, wallet.wallet_code, "wrong password")
        assert message_ids(caught.value) == ["wallet.login_failed"]
    with pytest.raises(ValidationFailed) as caught:
        await ledger.authenticate(ctx, wallet.wallet_code, "wrong password")
    assert message_ids(caught.value) == ["wallet.locked"]
    assert caught.value.errors[0].params == {"until": "2025-11-10 12:15"}  # JST
    with pytest.raises(ValidationFailed) as caught:  # even the right password, while locked
        await ledger.authenticate(ctx, wallet.wallet_code, PASSWORD)
    assert message_ids(caught.value) == ["wallet.locked"]
    clock.advance(timedelta(minutes=15))
    assert (await ledger.authenticate(ctx, wallet.wallet_code, PASSWORD)).id == wallet.id
    with pytest.raises(ValidationFailed) as caught:  # unknown wallet: the same answer
        await ledger.authenticate(ctx, "9999999999", PASSWORD)
    assert message_ids(caught.value) == ["wallet.login_failed"]


async def test_password_and_one_wallet_per_customer() -> None:
    ctx = context()
    with pytest.raises(ValidationFailed) as caught:
        await ledger.open_wallet(ctx, 1, "short")
    assert message_ids(caught.value) == ["wallet.password_too_short"]
    wallet = await ledger.open_wallet(ctx, 1, PASSWORD)
    assert len(wallet.wallet_code) == 10 and wallet.wallet_code.isdigit()
    with pytest.raises(ValidationFailed) as caught:
        await ledger.open_wallet(ctx, 1, PASSWORD)
    assert message_ids(caught.value) == ["wallet.already_open"]


async def test_another_tenant_can_neither_read_nor_debit_a_wallet() -> None:
    ours = context("pay-1")
    wallet = await funded_wallet(ours, 2000, customer_id=9)
    await ledger.set_linked(ours, wallet.id, True)
    theirs = context("pay-1")
    wallets = adapter()
    with pytest.raises(NotFound):
        await ledger.find_wallet(theirs, wallet_code=wallet.wallet_code)
    with pytest.raises(NotFound):
        await ledger.balance(theirs, wallet.id)
    with pytest.raises(ValidationFailed) as caught:
        await ledger.authenticate(theirs, wallet.wallet_code, PASSWORD)
    assert message_ids(caught.value) == ["wallet.login_failed"]
    with pytest.raises(NotFound):
        await ledger.top_up(theirs, "card", topup_outcome(wallet.id, 100, "pi_x"))
    charged = await wallets.charge_saved(theirs, order(9, 100))
    assert charged.state is PaymentState.FAILED
    start = await wallets.start(ours, order(9, 100))
    with pytest.raises(NotFound):
        await wallets.confirm(
            theirs, {"payment_id": start.instructions["payment_id"], "confirmed_amount": 100}
        )
    [paid] = await wallets.confirm(
        ours, {"payment_id": start.instructions["payment_id"], "confirmed_amount": 100}
    )
    with pytest.raises(NotFound):
        await wallets.refund(theirs.with_key("r"), paid.reference, 100)
    with pytest.raises(NotFound):
        await wallets.confirm(theirs, {"transaction_reference": paid.reference})
    assert await ledger.balance(ours, wallet.id) == 1900
    assert await ledger.ledger_problems(theirs) == []
    await assert_ledger_ok(ours)


async def test_ledger_rows_are_immutable_and_balance_cannot_go_negative() -> None:
    ctx = context()
    wallet = await funded_wallet(ctx, 100)
    with pytest.raises(Exception, match="immutable"):
        await Posting.update({Posting.amount: 1}).where(Posting.tenant_id == ctx.tenant.id)
    with pytest.raises(Exception, match="immutable"):
        await Posting.delete().where(Posting.tenant_id == ctx.tenant.id)
    with pytest.raises(Exception, match="immutable"):
        await LedgerTransaction.update({LedgerTransaction.amount: 1}).where(
            LedgerTransaction.tenant_id == ctx.tenant.id
        )
    with pytest.raises(Exception, match=r"negative|wallet_balance_not_negative"):
        await WalletBalance.update({WalletBalance.balance: -1}).where(
            WalletBalance.wallet_id == wallet.id
        )
    assert await ledger.balance(ctx, wallet.id) == 100
    await assert_ledger_ok(ctx)


DEBITS = 100
AFFORDABLE = 10
PRICE = 1100


async def test_hundred_concurrent_debits_exactly_ten_succeed(database) -> None:
    """On PostgreSQL the debits run in parallel through a pool (within the server's connection
    limit) and the conditional UPDATE decides; on SQLite BEGIN IMMEDIATE serialises them."""
    ctx = context()
    wallet = await funded_wallet(ctx, AFFORDABLE * PRICE, customer_id=11)
    await ledger.set_linked(ctx, wallet.id, True)
    wallets = adapter()
    starts = [
        await wallets.start(ctx.with_key(f"order-{n}:pay"), order(11, PRICE, order_id=n))
        for n in range(DEBITS)
    ]
    engine = bound_engine()
    pooled = isinstance(engine, PostgresEngine)
    if pooled:
        await engine.start_connection_pool(min_size=10, max_size=40)
    try:
        results = await asyncio.gather(
            *(
                wallets.confirm(
                    ctx, {"payment_id": s.instructions["payment_id"], "confirmed_amount": PRICE}
                )
                for s in starts
            )
        )
    finally:
        if pooled:
            await engine.close_connection_pool()
    outcomes: list[PaymentOutcome] = [o for batch in results for o in batch]
    succeeded = [o for o in outcomes if o.state is PaymentState.SUCCEEDED]
    failed = [o for o in outcomes if o.state is PaymentState.FAILED]
    assert len(succeeded) == AFFORDABLE and len(failed) == DEBITS - AFFORDABLE
    assert len({o.reference for o in outcomes}) == DEBITS
    assert await ledger.balance(ctx, wallet.id) == 0
    assert await ledger.derived_balance(ctx, wallet.id) == 0
    payments = await LedgerTransaction.count().where(
        (LedgerTransaction.tenant_id == ctx.tenant.id) & (LedgerTransaction.kind == "payment")
    )
    assert payments == AFFORDABLE
    await assert_ledger_ok(ctx)
