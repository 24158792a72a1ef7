"""Wallet top-ups (チャージ) paid by card or bank transfer, credited once through the engine.

A top-up is the payable ``wallet_topup`` whose id is the wallet's id. Its money arrives as the
card or bank-transfer adapter's outcome, which ``core.payments.ledger.apply_outcome`` records
once per (adapter, reference) and announces once as ``payment.received``; ``on_payment_received``
(this plugin's outbox handler) then credits the wallet with ``ledger.top_up``, whose ledger key
``topup:{adapter}:{reference}`` makes a second credit impossible. A card top-up that succeeds at
once is also credited in the request (the same key: the handler then finds it posted).

- ``start_card_topup``: a PaymentIntent for the amount (confirmed at once when a ``pm_…`` is
  given; 3-D Secure answers ``requires_action``, and the webhook finishes it). One per
  ``Idempotency-Key`` by our own claim (``topup_claims``), whatever the processor does with
  the key: a repeated key reads the same intent again (with its client secret and redirect, so
  a retried 3-D Secure top-up can be finished); after an ambiguous failure the claim is kept and
  its intent looked up at the processor before another is started.
- ``start_bank_topup``: transfer instructions, awaited by core (``expect_transfer``) until an
  imported Zengin line pays them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.context import Context
from core.contracts.common import PluginAccount
from core.contracts.payments import (
    FindsStartedPayments,
    PaymentNotStarted,
    PaymentOutcome,
    PaymentRequest,
    PaymentStart,
    PaymentState,
)
from core.errors import NotFound
from core.payments.bank_backend import BankTransferBackend
from core.payments.ledger import apply_outcome
from core.payments.transfers import PayableExpectationView, expect_transfer
from plugins.wallet import ledger, topup_claims
from plugins.wallet.ledger import TOPUP_PAYABLE, Posted, WalletView, refuse

MAX_TOPUP = 1_000_000
"""The most one top-up may add (yen); an assumption, the seed names no limit."""
MONEY_IN = (PaymentState.SUCCEEDED, PaymentState.PARTIAL)


@dataclass(frozen=True)
class CardTopup:
    """``status``: ``credited`` (paid and on the balance), ``requires_action`` (3-D Secure:
    finish with ``client_secret`` or ``redirect_url``), ``processing`` (the webhook will
    credit it) or ``failed`` (declined)."""

    status: str
    payment_intent: str
    amount: int
    balance: int
    client_secret: str | None = None
    redirect_url: str | None = None


def topup_request(wallet: WalletView, amount: object) -> PaymentRequest:
    """The payable of a top-up of ``wallet``; refuses an amount outside 1 to MAX_TOPUP yen."""
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= MAX_TOPUP:
        raise refuse("amount", "wallet.topup_amount_invalid", maximum=MAX_TOPUP)
    return PaymentRequest(TOPUP_PAYABLE, wallet.id, amount, wallet.customer_id)


async def credit_topup(ctx: Context, adapter: str, outcome: PaymentOutcome) -> Posted | None:
    """Credit the wallet for a paid top-up outcome (once per adapter and reference); other
    payables and states are not top-up money and are left alone (None)."""
    if outcome.payable_type != TOPUP_PAYABLE or outcome.state not in MONEY_IN:
        return None
    return await ledger.top_up(ctx, adapter, outcome)


async def on_payment_received(ctx: Context, event: Any) -> None:
    """Outbox handler of ``payment.received`` (written once by ``apply_outcome``)."""
    payload = event.payload
    if payload.get("payable_type") != TOPUP_PAYABLE:
        return
    outcome = PaymentOutcome(
        PaymentState(payload["state"]),
        str(payload["reference"]),
        TOPUP_PAYABLE,
        int(payload["payable_id"]),
        int(payload["amount"]),
    )
    await credit_topup(ctx, str(payload["adapter"]), outcome)


async def apply_topup_outcomes(
    ctx: Context, adapter: str, outcomes: list[PaymentOutcome]
) -> list[Posted]:
    """Apply an adapter's outcomes through the engine, then credit the paid top-ups."""
    credited = []
    for outcome in outcomes:
        await apply_outcome(ctx, outcome, adapter)
        posted = await credit_topup(ctx, adapter, outcome)
        if posted is not None:
            credited.append(posted)
    return credited


async def start_card_topup(
    ctx: Context,
    wallet: WalletView,
    amount: object,
    card: Any,
    payment_method: str,
    return_url: str = "",
) -> CardTopup:
    """Charge ``amount`` to the card ``payment_method`` (a ``pm_…`` or saved ``cus_…/pm_…``)
    through the tenant's card adapter ``card``; ``ctx.idempotency_key`` names the attempt.
    ``return_url`` is where Stripe sends the browser after 3-D Secure (``topup_return``)."""
    request = topup_request(wallet, amount)
    if not payment_method:
        raise refuse("payment_method", "wallet.topup_card_missing")
    claimed = await topup_claims.claim(ctx, wallet, request.amount)
    if not claimed.mine:  # the key's intent exists: read it again, never start another
        return await _card_topup_again(ctx, wallet, request.amount, card, claimed.payment_intent)
    attempt = topup_claims.attempt(ctx, claimed.id)
    if claimed.taken_over and isinstance(card, FindsStartedPayments):
        found = await card.find_started(ctx, attempt)  # an earlier holder's call was lost
        if found is not None:
            await topup_claims.record_intent(ctx, claimed.id, found.reference)
            return await _card_topup_again(ctx, wallet, request.amount, card, found.reference)
    try:
        started = await card.start(
            ctx.with_key(f"wallet-topup:{wallet.id}:{ctx.idempotency_key}"),
            PaymentRequest(
                request.payable_type,
                request.payable_id,
                request.amount,
                request.customer_id,
                request.description,
                return_url=return_url,
                saved_method_ref=payment_method,
                attempt=attempt,
            ),
        )
    except PaymentNotStarted:  # refused before anything was created: the key may be tried again
        await topup_claims.give_up(ctx, claimed.id)
        raise
    # Any other failure (a timeout, a 5xx, a lost answer, a cancelled request) keeps the claim:
    # the intent may exist, and the request that takes the claim over looks for it first.
    await topup_claims.record_intent(ctx, claimed.id, started.reference)
    status = {
        PaymentState.REQUIRES_ACTION: "requires_action",
        PaymentState.FAILED: "failed",
    }.get(started.state, "processing")
    if started.state is PaymentState.SUCCEEDED:
        outcomes = await card.confirm(ctx, {"payment_intent": started.reference})
        if await apply_topup_outcomes(ctx, "card", outcomes):
            status = "credited"
    elif started.state is PaymentState.FAILED:
        await apply_topup_outcomes(
            ctx, "card", await card.confirm(ctx, {"payment_intent": started.reference})
        )
    return CardTopup(
        status=status,
        payment_intent=started.reference,
        amount=request.amount,
        balance=await ledger.balance(ctx, wallet.id),
        client_secret=started.client_secret if status == "requires_action" else None,
        redirect_url=started.redirect_url,
    )


async def _card_topup_again(
    ctx: Context, wallet: WalletView, amount: int, card: Any, payment_intent: str
) -> CardTopup:
    """The answer to a repeated key: the intent's state now (credited once if it is paid),
    with its client secret and redirect while 3-D Secure is still to be done."""
    outcomes = await card.confirm(ctx, {"payment_intent": payment_intent})
    final = [o for o in outcomes if o.state in (*MONEY_IN, PaymentState.FAILED)]
    credited = await apply_topup_outcomes(ctx, "card", final)
    states = {o.state for o in outcomes}
    action: PaymentStart | None = None
    if credited:
        status = "credited"
    elif PaymentState.FAILED in states:
        status = "failed"
    else:  # waiting: outcomes name no waiting state, the intent itself does
        if isinstance(card, FindsStartedPayments):
            action = await card.started(ctx, payment_intent)
        waiting = action.state if action else None
        status = "requires_action" if waiting is PaymentState.REQUIRES_ACTION else "processing"
    return CardTopup(
        status=status,
        payment_intent=payment_intent,
        amount=amount,
        balance=await ledger.balance(ctx, wallet.id),
        client_secret=action.client_secret if status == "requires_action" and action else None,
        redirect_url=action.redirect_url if status == "requires_action" and action else None,
    )


async def start_bank_topup(
    ctx: Context,
    wallet: WalletView,
    amount: object,
    account: PluginAccount,
    backend: BankTransferBackend | None = None,
) -> PayableExpectationView:
    """Transfer instructions for a top-up of ``amount``: the wallet is credited when an
    imported Zengin line names its payer reference (whatever amount arrives)."""
    return await expect_transfer(ctx, topup_request(wallet, amount), account, backend)


async def on_payment_method_reset(ctx: Context, event: Any) -> None:
    """Outbox handler of ``payment.method_reset``: unlink the customer's wallet, so the next
    wallet payment asks for wallet ID and password again."""
    try:
        wallet = await ledger.find_wallet(ctx, customer_id=int(event.payload["customer_id"]))
    except NotFound:
        return
    if wallet.linked:
        await ledger.set_linked(ctx, wallet.id, False)
