"""Contexts, wallets and the ledger check shared by the wallet tests."""

from __future__ import annotations

import itertools
import os
from datetime import UTC, datetime

from core.clock import FrozenClock
from core.context import Actor, ActorKind, Context, TenantRef
from core.contracts.common import PluginAccount
from core.contracts.payments import PaymentOutcome, PaymentRequest, PaymentState
from plugins.wallet import ledger
from plugins.wallet.adapter import WalletAdapter

_ids = itertools.count(3_000_000 + (os.getpid() % 1000) * 1000)
PASSWORD = "osaipo-pass-1234"
WHEN = datetime(2025, 11, 10, 3, 0, tzinfo=UTC)


def context(
    key: str = "k", tenant_id: int | None = None, clock: FrozenClock | None = None
) -> Context:
    tenant = next(_ids) if tenant_id is None else tenant_id
    return Context(
        tenant=TenantRef(id=tenant, slug=f"t{tenant}"),
        actor=Actor(ActorKind.CUSTOMER, "1", "customer"),
        clock=clock or FrozenClock(WHEN),
        idempotency_key=key,
    )


def adapter() -> WalletAdapter:
    return WalletAdapter(PluginAccount(public_url="https://panel.example.jp"))


def topup_outcome(wallet_id: int, amount: int, reference: str) -> PaymentOutcome:
    return PaymentOutcome(
        PaymentState.SUCCEEDED, reference, ledger.TOPUP_PAYABLE, wallet_id, amount
    )


def order(customer_id: int, amount: int, order_id: int = 1) -> PaymentRequest:
    return PaymentRequest("order", order_id, amount, customer_id, "server 12 months")


async def funded_wallet(ctx: Context, amount: int, customer_id: int = 1) -> ledger.WalletView:
    wallet = await ledger.open_wallet(ctx, customer_id, PASSWORD)
    if amount:
        await ledger.top_up(ctx, "card", topup_outcome(wallet.id, amount, f"pi_{wallet.id}"))
    await assert_ledger_ok(ctx)
    return wallet


async def assert_ledger_ok(ctx: Context) -> None:
    assert await ledger.ledger_problems(ctx) == []
