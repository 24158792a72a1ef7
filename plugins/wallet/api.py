"""The wallet's JSON API under ``/api/v1`` (API key, per-key scopes).

- ``POST /customers/{id}/wallet`` open a wallet (``password``): ``customers:write``
- ``GET /customers/{id}/wallet`` balance and history: ``customers:read``
- ``POST /customers/{id}/wallet/top-ups`` (``method`` card | bank_transfer, ``amount``):
  ``checkout:write``
- ``POST /wallet-payments`` (``order_id``): start paying an order from the wallet
- ``POST /wallet-payments/{id}/authenticate`` (``wallet_id``, ``password``)
- ``POST /wallet-payments/{id}/confirm`` (``confirmed_amount``): debit, pay the order
  (the three wallet-payment routes need ``checkout:write``)

The payment flow is the seed's おさいぽ! flow: authenticate with wallet ID and password (a wrong
one is ``wallet.login_failed`` on ``wallet_id``; five failures in 15 minutes lock the wallet,
``wallet.locked``), confirm the amount, and the wallet is debited; the outcome is applied to
the order through ``core.payments.ledger.apply_outcome`` (once).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, Router, get, post
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException
from litestar.params import HeaderParameter

from core.context import Context
from core.contracts.common import PluginAccount
from core.contracts.payments import PaymentRequest, PaymentState
from core.errors import NotFound, PluginNotFound, ShomeiError, ValidationFailed
from core.orders.states import OrderState
from core.orders.views import order_row
from core.payments.bank_backend import bank_transfer_backend
from core.payments.ledger import apply_outcome, order_payment
from plugins.wallet import api_examples as ex
from plugins.wallet import ledger
from plugins.wallet.adapter import WalletAdapter
from plugins.wallet.history import HistoryEntry, wallet_history
from plugins.wallet.ledger import refuse
from plugins.wallet.topup_claims import TopupInProgress
from plugins.wallet.topup_return import topup_return_url, valid_return_url
from plugins.wallet.topups import start_bank_topup, start_card_topup
from tenants.credentials import Keyring
from tenants.provider_accounts import plugin_account
from web.api.customer_payments import known_customer
from web.api.examples import body, ok
from web.api.fields import Id, PathId
from web.api.guards import requires_scope

log = logging.getLogger("shomei.payments")

IdempotencyKey = Annotated[
    str,
    HeaderParameter(
        name="Idempotency-Key",
        min_length=8,
        max_length=200,
        description="Your own unique key for this top-up: sending it again charges once",
    ),
]


async def payment_account(
    request: Request[Any, Any, Any], ctx: Context, code: str
) -> PluginAccount:
    """The tenant's ``payment`` account of ``code`` (422 on ``payment_method`` without one)."""
    settings = request.app.state.web.settings
    try:
        return await plugin_account(
            ctx,
            Keyring.from_settings(settings),
            "payment",
            code,
            settings.secret_key,
            settings.public_url,
        )
    except ValidationFailed:
        raise refuse("payment_method", "wallet.method_unavailable", method=code) from None


async def card_adapter(request: Request[Any, Any, Any], ctx: Context) -> Any:
    """The tenant's card adapter: the registered card class built with its account."""
    try:
        cls = request.app.state.web.registry.payment_adapter("card")
    except PluginNotFound:
        raise refuse("payment_method", "wallet.method_unavailable", method="card") from None
    return cls(await payment_account(request, ctx, "card"))


@dataclass
class WalletOut:
    id: int
    wallet_id: str
    customer_id: int
    linked: bool
    balance: int
    history: list[HistoryEntry]


async def wallet_out(ctx: Context, wallet: ledger.WalletView) -> WalletOut:
    return WalletOut(
        id=wallet.id,
        wallet_id=wallet.wallet_code,
        customer_id=wallet.customer_id,
        linked=wallet.linked,
        balance=await ledger.balance(ctx, wallet.id),
        history=await wallet_history(ctx, wallet.id),
    )


@dataclass
class OpenWalletIn:
    password: str = field(
        metadata={"description": "At least 8 characters", "examples": ["osaipo-pass-1234"]}
    )


@dataclass
class TopupIn:
    method: str = field(metadata={"examples": ["card", "bank_transfer"]})
    amount: int = field(metadata={"description": "Yen, 1 to 1,000,000", "examples": [5000]})
    payment_method: str = field(
        default="",
        metadata={
            "description": "card only: a pm_… from Stripe.js or a saved cus_…/pm_…",
            "examples": ["pm_card_visa"],
        },
    )
    return_url: str = field(
        default="",
        metadata={
            "description": "card only: where the browser goes after 3-D Secure, with "
            "`topup` = credited | failed | processing added",
            "examples": ["https://panel.example.jp/wallet"],
        },
    )


@dataclass
class TopupOut:
    """``status``: credited | requires_action | processing | failed (card), awaiting_transfer
    (bank transfer: pay with ``instructions``; the wallet is credited when the transfer is
    imported)."""

    method: str
    status: str
    amount: int
    balance: int
    payment_intent: str | None = None
    client_secret: str | None = None
    redirect_url: str | None = None
    instructions: dict[str, Any] | None = None


class WalletController(Controller):
    path = "/customers/{customer_id:int}/wallet"
    tags = ["wallet"]  # noqa: RUF012 - Litestar reads class attributes

    @post(
        "/",
        summary="Open the customer's wallet",
        status_code=201,
        guards=[requires_scope("customers:write")],
        responses=ok(WalletOut, ex.OPENED, status=201),
    )
    async def open(
        self,
        ctx: NamedDependency[Context],
        customer_id: PathId,
        data: Annotated[OpenWalletIn, body(ex.OPEN_IN)],
    ) -> WalletOut:
        await known_customer(ctx, customer_id)
        return await wallet_out(ctx, await ledger.open_wallet(ctx, customer_id, data.password))

    @get(
        "/",
        summary="The customer's wallet: balance and history",
        guards=[requires_scope("customers:read")],
        responses=ok(WalletOut, ex.WALLET),
    )
    async def show(self, ctx: NamedDependency[Context], customer_id: PathId) -> WalletOut:
        await known_customer(ctx, customer_id)
        return await wallet_out(ctx, await ledger.find_wallet(ctx, customer_id=customer_id))

    @post(
        "/top-ups",
        summary="Top up the wallet by card or bank transfer",
        description="Card: charged at once with `payment_method` (`credited`), or 3-D Secure "
        "(`requires_action`, finish with `client_secret`; the webhook credits). Bank transfer: "
        "`instructions` with the payer reference; the wallet is credited once when an imported "
        "Zengin line pays it. Replayed webhooks and re-imported files never credit twice.",
        status_code=200,
        guards=[requires_scope("checkout:write")],
        responses=ok(TopupOut, ex.TOPUP),
    )
    async def top_up(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        customer_id: PathId,
        data: Annotated[TopupIn, body(ex.TOPUP_IN)],
        idempotency_key: IdempotencyKey,
    ) -> TopupOut:
        await known_customer(ctx, customer_id)
        wallet = await ledger.find_wallet(ctx, customer_id=customer_id)
        if data.method == "card":
            card = await card_adapter(request, ctx)
            back = ""
            if data.return_url:
                if not valid_return_url(data.return_url):
                    raise refuse("return_url", "wallet.topup_return_url_invalid")
                settings = request.app.state.web.settings
                back = topup_return_url(settings, ctx.tenant, wallet.id, data.return_url)
            try:
                started = await start_card_topup(
                    ctx, wallet, data.amount, card, data.payment_method, back
                )
            except (ValidationFailed, NotFound):
                raise
            except TopupInProgress:
                raise HTTPException(
                    status_code=409, detail="a top-up with this Idempotency-Key is being started"
                ) from None
            except ShomeiError as exc:  # Stripe unreachable or refusing: not the payer's fault
                log.warning("card top-up failed at the provider", extra={"error": str(exc)})
                raise HTTPException(status_code=502, detail="card provider error") from None
            return TopupOut(
                "card",
                started.status,
                started.amount,
                started.balance,
                payment_intent=started.payment_intent,
                client_secret=started.client_secret,
                redirect_url=started.redirect_url,
            )
        if data.method == "bank_transfer":
            account = await payment_account(request, ctx, "bank_transfer")
            backend = bank_transfer_backend(request.app.state.web.registry)
            expected = await start_bank_topup(ctx, wallet, data.amount, account, backend)
            return TopupOut(
                "bank_transfer",
                "awaiting_transfer",
                expected.amount,
                await ledger.balance(ctx, wallet.id),
                instructions=expected.instructions,
            )
        raise refuse("method", "wallet.topup_method_invalid")


@dataclass
class StartIn:
    order_id: Id


@dataclass
class WalletPaymentOut:
    payment_id: int
    amount: int
    linked: bool
    """True once the customer authenticated: ``confirm`` needs only ``confirmed_amount``."""
    redirect_url: str | None = None


@dataclass
class AuthenticateIn:
    wallet_id: str = field(
        metadata={"description": "The 10-digit wallet ID", "examples": ["0123456789"]}
    )
    password: str = field(metadata={"examples": ["osaipo-pass-1234"]})


@dataclass
class ConfirmIn:
    confirmed_amount: int = field(
        metadata={"description": "The amount the customer saw and accepted", "examples": [11000]}
    )
    wallet_id: str = ""
    password: str = ""


@dataclass
class ConfirmOut:
    """``status``: ``paid`` (debited and applied to the order) or ``failed`` (balance too low;
    nothing debited, top up and confirm again)."""

    payment_id: int
    status: str
    reference: str
    order_id: int
    balance: int
    order_paid: bool
    recorded_at: datetime | None = None


async def wallet_adapter(request: Request[Any, Any, Any], ctx: Context) -> WalletAdapter:
    return WalletAdapter(await payment_account(request, ctx, "wallet"))


class WalletPaymentController(Controller):
    path = "/wallet-payments"
    tags = ["wallet"]  # noqa: RUF012 - Litestar reads class attributes

    @post(
        "/",
        summary="Start paying an order from the wallet",
        status_code=201,
        guards=[requires_scope("checkout:write")],
        responses=ok(WalletPaymentOut, ex.PAYMENT, status=201),
    )
    async def start(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        data: Annotated[StartIn, body(ex.START_IN)],
    ) -> WalletPaymentOut:
        order = await order_row(ctx, data.order_id)
        if order["payment_method"] != "wallet":
            raise refuse("order_id", "wallet.not_wallet_order")
        if order["state"] not in (OrderState.DRAFT.value, OrderState.AWAITING_PAYMENT.value):
            raise refuse("order_id", "wallet.order_not_payable")
        due = (await order_payment(ctx, data.order_id)).remaining_due
        adapter = await wallet_adapter(request, ctx)
        started = await adapter.start(
            ctx.with_key(f"order:{data.order_id}:wallet:{due}"),
            PaymentRequest("order", data.order_id, due, order["customer_id"] or 0),
        )
        info = started.instructions
        return WalletPaymentOut(
            info["payment_id"], info["amount"], info["linked"], started.redirect_url
        )

    @post(
        "/{payment_id:int}/authenticate",
        summary="Sign in with wallet ID and password",
        status_code=200,
        guards=[requires_scope("checkout:write")],
        responses=ok(WalletPaymentOut, {**ex.PAYMENT, "linked": True}),
    )
    async def authenticate(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        payment_id: PathId,
        data: Annotated[AuthenticateIn, body(ex.AUTHENTICATE_IN)],
    ) -> WalletPaymentOut:
        payment = await pending_payment(ctx, payment_id)
        wallet = await ledger.authenticate(ctx, data.wallet_id, data.password)
        if wallet.customer_id != payment["customer_id"]:
            raise refuse("wallet_id", "wallet.not_customers_wallet")
        await ledger.set_linked(ctx, wallet.id, True)
        return WalletPaymentOut(payment_id, payment["amount"], True)

    @post(
        "/{payment_id:int}/confirm",
        summary="Confirm the amount and pay from the wallet",
        status_code=200,
        guards=[requires_scope("checkout:write")],
        responses=ok(ConfirmOut, ex.CONFIRMED),
    )
    async def confirm(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        payment_id: PathId,
        data: Annotated[ConfirmIn, body(ex.CONFIRM_IN)],
    ) -> ConfirmOut:
        return await confirm_payment(
            request, ctx, payment_id, data.confirmed_amount, data.wallet_id, data.password
        )


async def pending_payment(ctx: Context, payment_id: int) -> dict[str, Any]:
    from plugins.wallet.tables import WalletPayment

    with ledger.scope(ctx):
        row = (
            await WalletPayment.select()
            .where((WalletPayment.tenant_id == ctx.tenant.id) & (WalletPayment.id == payment_id))
            .first()
        )
    if row is None:
        raise NotFound("wallet.payment_not_found", payment_id)
    return row


async def confirm_payment(
    request: Request[Any, Any, Any],
    ctx: Context,
    payment_id: int,
    confirmed_amount: int,
    wallet_id: str = "",
    password: str = "",
) -> ConfirmOut:
    """Debit the wallet for the payment and apply the outcome to its payable (once)."""
    payment = await pending_payment(ctx, payment_id)
    evidence: dict[str, Any] = {"payment_id": payment_id, "confirmed_amount": confirmed_amount}
    if password:
        evidence.update(wallet_id=wallet_id, password=password)
    adapter = await wallet_adapter(request, ctx)
    outcomes = await adapter.confirm(ctx, evidence)
    for outcome in outcomes:
        await apply_outcome(ctx, outcome, "wallet")
    outcome = outcomes[0]
    wallet = await ledger.find_wallet(ctx, customer_id=payment["customer_id"])
    paid = False
    if payment["payable_type"] == "order":
        paid = (await order_payment(ctx, payment["payable_id"])).confirmed
    return ConfirmOut(
        payment_id=payment_id,
        status="paid" if outcome.state is PaymentState.SUCCEEDED else "failed",
        reference=outcome.reference,
        order_id=payment["payable_id"],
        balance=await ledger.balance(ctx, wallet.id),
        order_paid=paid,
    )


def wallet_router() -> Router:
    from web.api.routes import tenant_api_router

    return tenant_api_router("/api/v1", [WalletController, WalletPaymentController])


__all__ = ["confirm_payment", "wallet_router"]
