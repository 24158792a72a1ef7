"""One card top-up per ``Idempotency-Key``, decided by our database, not by the card processor.

Rule (issue 13, defect 7): ten concurrent top-ups with one key credit once and start one
PaymentIntent, even if the processor ignored ``Idempotency-Key``. So a request first *claims*
the key: one ``INSERT … ON CONFLICT DO NOTHING RETURNING`` on the unique (tenant, key) index of
``wallet_topup``. Only the request whose insert returned a row calls the processor; it then
records the intent's id on the claim. It gives the claim up (so the key can be tried again at
once) only when the processor clearly refused before creating anything
(``core.contracts.payments.PaymentNotStarted``: a 4xx); after an ambiguous failure (a timeout,
a 5xx, a lost answer, a cancelled request) the intent may exist, so the claim is kept. Every
other request with the key reads the claim: other figures are refused, an intent already
recorded is re-read from the processor (never started again), and a claim still being started
answers "in progress". A claim left without an intent for ``STALE`` (its process died mid-call,
or its call failed ambiguously) may be taken over by the next request (``Claim.taken_over``),
which first looks for the claim's intent at the processor (``attempt``, stored in the intent's
metadata) and starts one only when there is none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from core.context import Context
from core.context import context_scope as scope
from core.errors import ShomeiError
from plugins.wallet.ledger import WalletView, refuse
from plugins.wallet.tables import WalletTopup

STALE = timedelta(minutes=2)
"""How long a claim may stay without an intent before another request may take it over."""


class TopupInProgress(ShomeiError):
    """Another request with the same key is still starting this top-up: try again shortly."""


@dataclass(frozen=True)
class Claim:
    """``mine``: this request must start the payment; otherwise ``payment_intent`` is the one
    already started under the key."""

    id: int
    mine: bool
    payment_intent: str = ""
    taken_over: bool = False
    """Mine after an earlier request's call was lost: look for its intent before starting."""


async def claim(ctx: Context, wallet: WalletView, amount: int) -> Claim:
    """Claim ``ctx.idempotency_key`` for a top-up of ``amount`` to ``wallet`` (see the module)."""
    key = ctx.idempotency_key
    if not key:
        raise refuse("idempotency_key", "wallet.topup_key_missing")
    tenant_id, now = ctx.tenant.id, ctx.clock.now()
    mine = WalletTopup.tenant_id == tenant_id
    with scope(ctx):
        inserted = await (
            WalletTopup.insert(
                WalletTopup(
                    tenant_id=tenant_id,
                    idempotency_key=key,
                    wallet_id=wallet.id,
                    amount=amount,
                    payment_intent="",
                    created_at=now,
                )
            )
            .on_conflict(target=(WalletTopup.tenant_id, WalletTopup.idempotency_key))
            .returning(WalletTopup.id)
        )
        if inserted:
            return Claim(inserted[0]["id"], mine=True)
        row = await WalletTopup.select().where(mine & (WalletTopup.idempotency_key == key)).first()
        assert row is not None  # the conflict was on this key, in this tenant
        if (row["wallet_id"], row["amount"]) != (wallet.id, amount):
            raise refuse("idempotency_key", "wallet.topup_key_reused")
        if row["payment_intent"]:
            return Claim(row["id"], mine=False, payment_intent=row["payment_intent"])
        if now - row["created_at"] < STALE:
            raise TopupInProgress(f"top-up {key!r} is still being started")
        taken = await (
            WalletTopup.update({WalletTopup.created_at: now})
            .where(
                mine
                & (WalletTopup.id == row["id"])
                & (WalletTopup.payment_intent == "")
                & (WalletTopup.created_at == row["created_at"])
            )
            .returning(WalletTopup.id)
        )
    if not taken:
        raise TopupInProgress(f"top-up {key!r} is still being started")
    return Claim(row["id"], mine=True, taken_over=True)


def attempt(ctx: Context, claim_id: int) -> str:
    """The claim's id at the processor (``PaymentRequest.attempt``): the same for every
    request that holds the claim, so a takeover finds what an earlier holder started."""
    return f"wallet-topup:{ctx.tenant.id}:{claim_id}"


async def record_intent(ctx: Context, claim_id: int, payment_intent: str) -> None:
    """The processor started ``payment_intent`` for the claim."""
    with scope(ctx):
        await WalletTopup.update({WalletTopup.payment_intent: payment_intent}).where(
            (WalletTopup.tenant_id == ctx.tenant.id) & (WalletTopup.id == claim_id)
        )


async def give_up(ctx: Context, claim_id: int) -> None:
    """The processor refused before an intent existed: free the key for another try."""
    with scope(ctx):
        await WalletTopup.delete().where(
            (WalletTopup.tenant_id == ctx.tenant.id)
            & (WalletTopup.id == claim_id)
            & (WalletTopup.payment_intent == "")
        )
