"""Customer portal pages for paying: the wallet (おさいぽ!) and the payment method.

- ``GET /portal/wallet``: balance, history, top-up by card or bank transfer (the transfer's
  instructions stay on the page until the money is imported); a customer without a wallet
  opens one (``POST /portal/wallet/open``).
- ``POST /portal/wallet/top-up``: ``method`` (card | bank_transfer), ``amount`` and, for a
  card, ``payment_method`` (the ``pm_…`` Stripe.js puts into the form from the card input
  the page draws, or the saved card). A card asking for 3-D Secure by redirect sends the
  browser to the bank; one asking through Stripe.js (the sandbox's stand-in always does) is
  authenticated on the wallet page (``#card-authenticate``); both come back through
  ``plugins.wallet.topup_return`` to ``/portal/wallet?topup=…``.
- ``GET /portal/payment-method``: the chosen method, automatic renewal and renewal day;
  ``POST`` chooses (card, wallet with a renewal day, bank transfer), ``POST …/reset`` resets.

Every page finds the signed-in customer as the portal's own pages do
(``web.controllers.portal``); POSTs carry the CSRF token (``web.csrf``). A refused form is
shown again with what was typed and the message under the field it names.
"""

from __future__ import annotations

import secrets
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect

from core.contracts.payments import PaymentNotStarted
from core.errors import FieldError, NotFound, ShomeiError, ValidationFailed
from core.i18n import format_yen
from core.payments.bank_backend import bank_transfer_backend
from core.payments.renewal_settings import (
    choose_payment_method,
    payment_setting,
    reset_payment_method,
)
from core.payments.transfers import payable_expectation
from core.renewal import WALLET_RENEWAL_DAYS, sets_auto_renewal
from plugins.wallet import ledger
from plugins.wallet.api import card_adapter, payment_account
from plugins.wallet.history import wallet_history
from plugins.wallet.ledger import TOPUP_PAYABLE
from plugins.wallet.topup_claims import TopupInProgress
from plugins.wallet.topup_return import topup_return_url
from plugins.wallet.topups import start_bank_topup, start_card_topup
from web.api.payment_methods import tenant_payment_methods
from web.controllers.portal import SignedInCustomer, portal_customer, portal_day, portal_page
from web.pages import translator
from web.storefront.pay import SANDBOX_STRIPE_JS, STRIPE_CSP, STRIPE_JS

CHOICES = ("card", "wallet", "bank_transfer")
"""What a customer may choose on the payment-method page (DOMAIN: card, wallet, transfer)."""
TOPUP_METHODS = ("card", "bank_transfer")


def _text(form: Any, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _errors(refused: ValidationFailed) -> dict[str, FieldError]:
    return {error.field: error for error in refused.errors}


async def _wallet_page(
    request: Request[Any, Any, Any],
    me: SignedInCustomer,
    *,
    status: int = 200,
    errors: dict[str, FieldError] | None = None,
    values: dict[str, str] | None = None,
    card_result: str = "",
    topup_key: str = "",
    authenticate: dict[str, str] | None = None,
) -> Response[Any]:
    """``topup_key``: the key the form sends again (after an answer that may have started the
    payment, the same attempt); a fresh one otherwise."""
    lang = translator(request).language
    methods = list(await tenant_payment_methods(request).enabled(me.ctx))
    context: dict[str, Any] = {
        "section": "wallet",
        "errors": errors or {},
        "values": {"method": "card", "amount": "", "payment_method": "", **(values or {})},
        "topup_key": topup_key or secrets.token_urlsafe(16),
        "card_result": card_result,
        "authenticate": authenticate,
        "wallet": None,
        "methods": methods,
        **await _card_element(request, me, methods),
    }
    try:
        wallet = await ledger.find_wallet(me.ctx, customer_id=me.customer_id)
    except NotFound:
        return portal_page(request, me, "pages/portal/wallet.html", status=status, **context)
    history = await wallet_history(me.ctx, wallet.id)
    expected = await payable_expectation(me.ctx, TOPUP_PAYABLE, wallet.id)
    saved = await payment_setting(me.ctx, me.customer_id)
    context.update(
        wallet=wallet,
        balance=format_yen(await ledger.balance(me.ctx, wallet.id), lang),
        history=[
            {
                "date": portal_day(entry.created_at, me.ctx.tenant, lang),
                "kind": entry.kind,
                "source": entry.source_adapter,
                "amount": format_yen(entry.amount, lang),
                "incoming": entry.amount > 0,
            }
            for entry in history
        ],
        transfer=expected,
        transfer_amount=format_yen(expected.amount, lang) if expected else "",
        saved_card=saved.saved_method_ref if saved.payment_method == "card" else "",
    )
    response = portal_page(request, me, "pages/portal/wallet.html", status=status, **context)
    if context["publishable_key"]:
        response.headers["content-security-policy"] = STRIPE_CSP
    return response


async def _card_element(
    request: Request[Any, Any, Any], me: SignedInCustomer, methods: list[str]
) -> dict[str, Any]:
    """What the top-up form needs to draw the card input: the shop's publishable key and the
    Stripe.js to load (Stripe's, or the card plugin's stand-in while the card API is a
    sandbox), as on the shop's card page; no key when card top-ups are not offered."""
    sandbox = bool(request.app.state.web.settings.stripe_sandbox)
    element: dict[str, Any] = {
        "publishable_key": "",
        "stripe_js": SANDBOX_STRIPE_JS if sandbox else STRIPE_JS,
        "stripe_sandbox": sandbox,
    }
    if "card" in methods:
        try:
            account = await payment_account(request, me.ctx, "card")
        except (ValidationFailed, NotFound):
            return element
        element["publishable_key"] = str(account.config.get("publishable_key", ""))
    return element


async def _payment_method_page(
    request: Request[Any, Any, Any],
    me: SignedInCustomer,
    *,
    status: int = 200,
    errors: dict[str, FieldError] | None = None,
    values: dict[str, str] | None = None,
) -> Response[Any]:
    setting = await payment_setting(me.ctx, me.customer_id)
    enabled = await tenant_payment_methods(request).enabled(me.ctx)
    chosen = {
        "payment_method": setting.payment_method,
        "renewal_day": str(setting.renewal_day or ""),
        **(values or {}),
    }
    return portal_page(
        request,
        me,
        "pages/portal/payment_method.html",
        status=status,
        section="payment_method",
        setting=setting,
        choices=[m for m in CHOICES if m in enabled],
        auto_renewing={m: sets_auto_renewal(m) for m in CHOICES},
        renewal_days=WALLET_RENEWAL_DAYS,
        values=chosen,
        errors=errors or {},
    )


class PortalPaymentsController(Controller):
    path = "/portal"
    include_in_schema = False

    @get("/wallet")
    async def wallet(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await portal_customer(request)
        if not isinstance(me, SignedInCustomer):
            return me
        back = request.query_params.get("topup", "")  # from the 3-D Secure return
        result = back if back in ("failed", "processing") else ""
        if back == "credited":
            return Redirect("/portal/wallet?notice=topup_credited", status_code=303)
        return await _wallet_page(request, me, card_result=result)

    @post("/wallet/open", status_code=200)
    async def open_wallet(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await portal_customer(request)
        if not isinstance(me, SignedInCustomer):
            return me
        form = await request.form()
        password = form.get("password", "")
        if password != form.get("password_confirm", ""):
            errors = {"password_confirm": FieldError("password_confirm", "web.pay.mismatch")}
            return await _wallet_page(request, me, status=400, errors=errors)
        try:
            await ledger.open_wallet(me.ctx, me.customer_id, str(password))
        except ValidationFailed as refused:
            return await _wallet_page(request, me, status=400, errors=_errors(refused))
        return Redirect("/portal/wallet?notice=wallet_opened", status_code=303)

    @post("/wallet/top-up", status_code=200)
    async def top_up(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await portal_customer(request)
        if not isinstance(me, SignedInCustomer):
            return me
        form = await request.form()
        values = {name: _text(form, name) for name in ("method", "amount", "payment_method")}
        try:
            wallet = await ledger.find_wallet(me.ctx, customer_id=me.customer_id)
        except NotFound:
            return Redirect("/portal/wallet", status_code=303)
        amount: object = int(values["amount"]) if values["amount"].isdigit() else values["amount"]
        key = _text(form, "topup_key") or secrets.token_urlsafe(16)
        try:
            if values["method"] not in TOPUP_METHODS:
                raise ValidationFailed([FieldError("method", "wallet.topup_method_invalid")])
            if values["method"] == "bank_transfer":
                account = await payment_account(request, me.ctx, "bank_transfer")
                backend = bank_transfer_backend(request.app.state.web.registry)
                await start_bank_topup(me.ctx, wallet, amount, account, backend)
                return Redirect("/portal/wallet?notice=transfer_issued", status_code=303)
            card = await card_adapter(request, me.ctx)
            settings = request.app.state.web.settings
            here = f"{str(request.base_url).rstrip('/')}/portal/wallet"
            started = await start_card_topup(
                me.ctx.with_key(f"portal:{key}"),
                wallet,
                amount,
                card,
                values["payment_method"],
                topup_return_url(settings, me.ctx.tenant, wallet.id, here),
            )
        except ValidationFailed as refused:
            return await _wallet_page(
                request, me, status=400, errors=_errors(refused), values=values
            )
        except TopupInProgress:  # the same top-up is being started: not a second charge
            error = FieldError("payment_method", "web.pay.topup_in_progress")
            return await _wallet_page(
                request, me, status=409, errors={"payment_method": error}, values=values,
                topup_key=key,
            )  # fmt: skip
        except ShomeiError as exc:  # the card service could not be used: not the customer's fault
            error = FieldError("payment_method", "web.pay.card_unavailable")
            again = "" if isinstance(exc, PaymentNotStarted) else key  # it may have started
            return await _wallet_page(
                request, me, status=502, errors={"payment_method": error}, values=values,
                topup_key=again,
            )  # fmt: skip
        if started.status == "credited":
            return Redirect("/portal/wallet?notice=topup_credited", status_code=303)
        if started.status == "requires_action" and started.redirect_url:
            return Redirect(started.redirect_url, status_code=303)  # the bank's 3-D Secure page
        if started.status == "requires_action" and started.client_secret:
            # 3-D Secure inside the page (Stripe.js, or the sandbox's stand-in), then back
            # through the signed return route, as the bank's redirect would
            authenticate = {
                "client_secret": started.client_secret,
                "payment_intent": started.payment_intent,
                "return_url": topup_return_url(settings, me.ctx.tenant, wallet.id, here),
            }
            return await _wallet_page(
                request, me, values=values, card_result=started.status,
                authenticate=authenticate, topup_key=key,
            )  # fmt: skip
        return await _wallet_page(request, me, values=values, card_result=started.status)

    @get("/payment-method")
    async def payment_method(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await portal_customer(request)
        if not isinstance(me, SignedInCustomer):
            return me
        return await _payment_method_page(request, me)

    @post("/payment-method", status_code=200)
    async def choose(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await portal_customer(request)
        if not isinstance(me, SignedInCustomer):
            return me
        form = await request.form()
        values = {name: _text(form, name) for name in ("payment_method", "renewal_day")}
        method = values["payment_method"]
        day = int(values["renewal_day"]) if values["renewal_day"].isdigit() else None
        current = await payment_setting(me.ctx, me.customer_id)
        saved = current.saved_method_ref if current.payment_method == method else None
        try:
            if method not in CHOICES:
                raise ValidationFailed(
                    [FieldError("payment_method", "payments.setting.method_unknown")]
                )
            await choose_payment_method(
                me.ctx,
                me.customer_id,
                method,
                day if method == "wallet" else None,
                saved,
                tenant_payment_methods(request),
            )
        except ValidationFailed as refused:
            return await _payment_method_page(
                request, me, status=400, errors=_errors(refused), values=values
            )
        return Redirect("/portal/payment-method?notice=method_saved", status_code=303)

    @post("/payment-method/reset", status_code=200)
    async def reset(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await portal_customer(request)
        if not isinstance(me, SignedInCustomer):
            return me
        await reset_payment_method(me.ctx, me.customer_id)
        return Redirect("/portal/payment-method?notice=method_reset", status_code=303)


PORTAL_PAYMENT_CONTROLLERS = (PortalPaymentsController,)
