"""Ten card top-ups at the same moment with one Idempotency-Key credit once and start one
PaymentIntent — although localstripe, like a careless processor, ignores the key. On PostgreSQL
the requests run on concurrent connections of the app role, under row-level security."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from core.clock import FrozenClock
from core.context import tenant_scope
from core.contracts.common import PluginAccount
from core.errors import ValidationFailed
from plugins.card.adapter import CardAdapter
from plugins.wallet import ledger
from plugins.wallet.tables import LedgerTransaction, WalletTopup
from plugins.wallet.topup_claims import TopupInProgress
from plugins.wallet.topups import CardTopup, start_card_topup
from tests.app_role import concurrent_database  # noqa: F401  (the fixture)
from tests.plugins.card.conftest import SECRET_KEY, localstripe
from tests.plugins.wallet.helpers import PASSWORD, WHEN, assert_ledger_ok, context

__all__ = ["localstripe"]
REQUESTS = 10
AMOUNT = 5_000


async def top_up(ctx: Any, wallet: ledger.WalletView, card: CardAdapter) -> CardTopup | str:
    """One request as the API makes it: inside the tenant's scope."""
    try:
        with tenant_scope(ctx.tenant):
            return await start_card_topup(ctx, wallet, AMOUNT, card, "pm_card_visa")
    except TopupInProgress:
        return "in progress"


async def test_ten_concurrent_top_ups_with_one_key_credit_once(
    concurrent_database: Any,  # noqa: F811
    localstripe: str,
) -> None:
    ctx = context(key="topup-race-0001", clock=FrozenClock(WHEN))
    wallet = await ledger.open_wallet(ctx, 41, PASSWORD)
    card = CardAdapter(PluginAccount(credentials={"secret_key": SECRET_KEY}), api_base=localstripe)
    answers = await asyncio.gather(*(top_up(ctx, wallet, card) for _ in range(REQUESTS)))
    started = [a for a in answers if isinstance(a, CardTopup)]
    assert started and len({a.payment_intent for a in started}) == 1
    assert {a.status for a in started} <= {"credited"}
    again = await top_up(ctx, wallet, card)  # after the race: the same intent, nothing new
    assert isinstance(again, CardTopup)
    assert (again.status, again.payment_intent) == ("credited", started[0].payment_intent)
    assert await ledger.balance(ctx, wallet.id) == AMOUNT
    with ledger.scope(ctx):
        topups = await LedgerTransaction.count().where(
            (LedgerTransaction.tenant_id == ctx.tenant.id) & (LedgerTransaction.kind == "topup")
        )
        claims = await WalletTopup.count().where(WalletTopup.tenant_id == ctx.tenant.id)
    assert (topups, claims) == (1, 1)
    await assert_ledger_ok(ctx)


async def test_a_key_reused_for_another_amount_is_refused(
    concurrent_database: Any,  # noqa: F811
    localstripe: str,
) -> None:
    ctx = context(key="topup-reuse-0001", clock=FrozenClock(WHEN))
    wallet = await ledger.open_wallet(ctx, 42, PASSWORD)
    card = CardAdapter(PluginAccount(credentials={"secret_key": SECRET_KEY}), api_base=localstripe)
    first = await top_up(ctx, wallet, card)
    assert isinstance(first, CardTopup) and first.status == "credited"
    with pytest.raises(ValidationFailed) as caught, tenant_scope(ctx.tenant):
        await start_card_topup(ctx, wallet, AMOUNT + 1, card, "pm_card_visa")
    assert caught.value.errors[0].message_id == "wallet.topup_key_reused"
    assert await ledger.balance(ctx, wallet.id) == AMOUNT
