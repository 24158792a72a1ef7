"""Paying a placed order and its confirmation page (on the tenant's host, signed in).

- ``GET /shop/orders/{id}/pay``: bank transfer issues the instructions (once per order,
  ``core.payments.transfers``) and shows the confirmation page with them; card shows the card
  form (Stripe.js, loaded from Stripe, never from us: the card number never reaches shomei;
  only while ``SHOMEI_STRIPE_API_BASE`` is a sandbox, the card plugin's stand-in instead).
- ``POST /shop/orders/{id}/pay/card``: the ``pm_…`` Stripe.js made is charged for what is
  due, with the same helpers as ``POST /api/v1/orders/{id}/card-payments``. 3-D Secure goes to
  Stripe's page (``redirect_url``) or, when Stripe asks for its SDK, to an authentication page
  that runs ``stripe.confirmCardPayment``; both come back through the signed
  ``/payments/card/return/{tenant}`` route, which applies the outcome once and redirects here.
- ``GET /shop/orders/{id}``: the confirmation (注文確認) with the payment status (入金確認済…),
  the transfer instructions, and, for a hosted checkout session, the completion message to the
  hosting panel (``shomei-embed.js``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect

from core.contracts.payments import PaymentOutcome, PaymentRequest, PaymentState
from core.db import write_transaction
from core.errors import FieldError, NotFound, ShomeiError, ValidationFailed
from core.i18n import format_yen
from core.orders.states import OrderState
from core.orders.views import OrderView
from core.payments.bank_backend import bank_transfer_backend
from core.payments.ledger import apply_outcome, order_payment
from core.payments.transfers import issue_transfer_instructions, transfer_expectation
from tenants.credentials import Keyring
from tenants.provider_accounts import plugin_account
from web.api.payment_recipients import customer_recipient
from web.api.payments import (
    CARD_STATES,
    apply_card_outcomes,
    card_adapter,
    card_status,
    stripe_return_url,
)
from web.controllers.auth import login_path
from web.controllers.portal import customer_order as portal_order_of
from web.controllers.portal import order_payment_status
from web.pages import translator
from web.sessions import Area
from web.storefront import cart, hosted
from web.storefront.context import Customer, signed_in_customer, visitor_ctx
from web.storefront.page import page
from web.storefront.shop import redirect

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
STRIPE_CSP = (
    "default-src 'self'; script-src 'self' https://js.stripe.com; "
    "frame-src https://js.stripe.com https://hooks.stripe.com; "
    "connect-src 'self' https://api.stripe.com; frame-ancestors 'none'; form-action 'self'"
)


@dataclass
class WalletForm:
    payment_id: str = ""
    wallet_id: str = ""
    password: str = ""
    confirm: str = ""
    csrf_token: str = ""


@dataclass
class CardForm:
    payment_method: str = ""
    csrf_token: str = ""


async def _adapter(request: Request[Any, Any, Any], customer: Customer, code: str) -> Any:
    """The tenant's payment adapter ``code`` built from its payment account."""
    settings = request.app.state.web.settings
    account = await plugin_account(
        customer.ctx,
        Keyring.from_settings(settings),
        "payment",
        code,
        settings.secret_key,
        settings.public_url,
    )
    return request.app.state.web.registry.payment_adapter(code)(account)


async def _publishable_key(request: Request[Any, Any, Any], customer: Customer) -> str:
    settings = request.app.state.web.settings
    account = await plugin_account(
        customer.ctx,
        Keyring.from_settings(settings),
        "payment",
        "card",
        settings.secret_key,
        settings.public_url,
    )
    return str(account.config.get("publishable_key", ""))


STRIPE_JS = "https://js.stripe.com/v3/"
SANDBOX_STRIPE_JS = "/payments/card/sandbox/stripe.js"
"""The card plugin's Stripe.js stand-in (``plugins.card.sandbox_pages``), for localstripe."""


def _stripe_js(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """Which Stripe.js the card pages load: Stripe's, or the sandbox's stand-in."""
    sandbox = bool(request.app.state.web.settings.stripe_sandbox)
    return {"stripe_js": SANDBOX_STRIPE_JS if sandbox else STRIPE_JS, "stripe_sandbox": sandbox}


NO_ACCOUNT = "tenants.provider_account_unknown"
"""The refusal of ``plugin_account`` when the tenant has no (enabled) account of a method."""


def _done_url(request: Request[Any, Any, Any], order_id: int) -> str:
    return f"{str(request.base_url).rstrip('/')}/shop/orders/{order_id}"


async def _missing(request: Request[Any, Any, Any]) -> Response[Any]:
    return await page(request, "pages/storefront/missing.html", status=404)


class PayController(Controller):
    path = "/shop/orders"
    include_in_schema = False

    async def _customer_order(
        self, request: Request[Any, Any, Any], order_id: int
    ) -> tuple[Customer, OrderView] | Response[Any]:
        customer = await signed_in_customer(request)
        if customer is None:  # back here (a form's order page) once signed in
            back = request.url.path if request.method == "GET" else f"/shop/orders/{order_id}"
            return redirect(login_path(Area.PORTAL, next_path=back))
        order = await portal_order_of(customer.portal, order_id)
        if order is None:
            return await _missing(request)
        return customer, order

    async def _card_page(
        self,
        request: Request[Any, Any, Any],
        order: OrderView,
        publishable_key: str,
        errors: dict[str, FieldError] | None = None,
        status: int = 200,
    ) -> Response[Any]:
        lang = translator(request).language
        response = await page(
            request,
            "pages/storefront/card.html",
            status=status,
            step="pay",
            order=order,
            total=format_yen(order.total, lang),
            publishable_key=publishable_key,
            errors=errors or {},
            csp=STRIPE_CSP,
            **_stripe_js(request),
        )
        return response

    @get("/{order_id:int}/pay")
    async def pay(self, request: Request[Any, Any, Any], order_id: FromPath[int]) -> Response[Any]:
        found = await self._customer_order(request, order_id)
        if isinstance(found, Response):
            return found
        customer, order = found
        if order.state not in CARD_STATES:
            return redirect(f"/shop/orders/{order_id}")
        try:
            return await self._pay(request, customer, order)
        except ValidationFailed as exc:
            if not any(e.message_id == NO_ACCOUNT for e in exc.errors):
                raise
            # The shop has no payment account for the order's method (yet): the order page
            # says this method cannot be used now, instead of an error.
            return redirect(f"/shop/orders/{order_id}?payment=unavailable")

    async def _pay(
        self, request: Request[Any, Any, Any], customer: Customer, order: OrderView
    ) -> Response[Any]:
        order_id = order.id
        if order.payment_method == "bank_transfer":
            settings = request.app.state.web.settings
            account = await plugin_account(
                customer.ctx,
                Keyring.from_settings(settings),
                "payment",
                "bank_transfer",
                settings.secret_key,
                settings.public_url,
            )
            await issue_transfer_instructions(
                customer.ctx,
                order_id,
                account,
                recipients=customer_recipient,
                backend=bank_transfer_backend(request.app.state.web.registry),
            )
            return redirect(f"/shop/orders/{order_id}")
        if order.payment_method == "card":
            return await self._card_page(request, order, await _publishable_key(request, customer))
        if order.payment_method == "wallet":
            return await self._wallet_page(request, customer, order)
        return redirect(f"/shop/orders/{order_id}")

    async def _wallet_page(
        self,
        request: Request[Any, Any, Any],
        customer: Customer,
        order: OrderView,
        form: WalletForm | None = None,
        errors: dict[str, FieldError] | None = None,
        status: int = 200,
    ) -> Response[Any]:
        """The wallet's confirmation form (おさいぽ!): wallet ID and password unless the
        customer's wallet is linked, and the amount to confirm. Starting is idempotent per
        order and amount due, so showing the page again reuses the same wallet payment."""
        position = await order_payment(customer.ctx, order.id)
        adapter = await _adapter(request, customer, "wallet")
        payment = PaymentRequest("order", order.id, position.remaining_due, customer.customer_id)
        key = f"order:{order.id}:wallet:{position.remaining_due}"
        started = await adapter.start(customer.ctx.with_key(key), payment)
        lang = translator(request).language
        return await page(
            request,
            "pages/storefront/wallet.html",
            status=status,
            step="pay",
            order=order,
            payment_id=started.instructions["payment_id"],
            linked=started.instructions.get("linked", False),
            amount=format_yen(position.remaining_due, lang),
            form=form or WalletForm(),
            errors=errors or {},
        )

    @post("/{order_id:int}/pay/wallet")
    async def pay_wallet(
        self,
        request: Request[Any, Any, Any],
        order_id: FromPath[int],
        data: Annotated[WalletForm, FORM],
    ) -> Response[Any]:
        found = await self._customer_order(request, order_id)
        if isinstance(found, Response):
            return found
        customer, order = found
        position = await order_payment(customer.ctx, order_id)
        if order.payment_method != "wallet" or position.remaining_due <= 0:
            return redirect(f"/shop/orders/{order_id}")
        errors: dict[str, FieldError] = {}
        if not data.confirm:
            errors["confirm"] = FieldError("confirm", "storefront.wallet.confirm_required")
        evidence: dict[str, Any] = {
            "payment_id": int(data.payment_id) if data.payment_id.isdigit() else 0,
            "confirmed_amount": position.remaining_due,
        }
        if data.password:
            evidence |= {"wallet_id": data.wallet_id.strip(), "password": data.password}
        adapter = await _adapter(request, customer, "wallet")
        outcomes: list[PaymentOutcome] = []
        if not errors:
            try:
                outcomes = await adapter.confirm(customer.ctx, evidence)
            except ValidationFailed as exc:
                errors = {e.field: e for e in exc.errors}
            except NotFound:
                errors = {"wallet_id": FieldError("wallet_id", "storefront.wallet.start_again")}
        if errors:
            data.password = ""
            return await self._wallet_page(request, customer, order, data, errors, status=400)
        async with write_transaction():
            for outcome in outcomes:
                if (outcome.payable_type, outcome.payable_id) == ("order", order_id):
                    await apply_outcome(
                        customer.ctx, outcome, "wallet", recipients=customer_recipient
                    )
        if any(o.state is PaymentState.FAILED for o in outcomes):
            refused = {"wallet_id": FieldError("wallet_id", "storefront.wallet.declined")}
            return await self._wallet_page(request, customer, order, data, refused, status=402)
        return redirect(f"/shop/orders/{order_id}?payment=paid")

    @post("/{order_id:int}/pay/card")
    async def pay_card(
        self,
        request: Request[Any, Any, Any],
        order_id: FromPath[int],
        data: Annotated[CardForm, FORM],
    ) -> Response[Any]:
        found = await self._customer_order(request, order_id)
        if isinstance(found, Response):
            return found
        customer, order = found
        key = await _publishable_key(request, customer)
        method = data.payment_method.strip()
        if not method.startswith("pm_"):
            errors = {"card": FieldError("card", "payments.card.method_missing")}
            return await self._card_page(request, order, key, errors, status=400)
        position = await order_payment(customer.ctx, order_id)
        if order.payment_method != "card" or position.remaining_due <= 0:
            return redirect(f"/shop/orders/{order_id}")
        if position.order_state not in CARD_STATES:
            return redirect(f"/shop/orders/{order_id}")
        settings = request.app.state.web.settings
        return_url = stripe_return_url(
            settings, customer.ctx.tenant, order_id, _done_url(request, order_id)
        )
        payment = PaymentRequest(
            "order",
            order_id,
            position.remaining_due,
            customer.customer_id,
            return_url=return_url,
            saved_method_ref=method,
        )
        ctx = customer.ctx.with_key(f"order:{order_id}:card:{method}")
        try:
            adapter = await card_adapter(request, customer.ctx)
            started = await adapter.start(ctx, payment)
            outcomes: list[PaymentOutcome] = []
            if started.state in (PaymentState.SUCCEEDED, PaymentState.FAILED):
                if started.reference.startswith("pi_"):
                    outcomes = await adapter.confirm(ctx, {"payment_intent": started.reference})
        except (ShomeiError, ValidationFailed):
            errors = {"card": FieldError("card", "payments.card.provider_error")}
            return await self._card_page(request, order, key, errors, status=502)
        await apply_card_outcomes(customer.ctx, order_id, outcomes)
        if started.state is PaymentState.REQUIRES_ACTION:
            if started.redirect_url:
                return Redirect(path=started.redirect_url, status_code=303)
            response = await page(
                request,
                "pages/storefront/authenticate.html",
                step="pay",
                publishable_key=key,
                client_secret=started.client_secret or "",
                payment_intent=started.reference,
                return_url=return_url,
                csp=STRIPE_CSP,
                **_stripe_js(request),
            )
            return response
        if started.state is PaymentState.FAILED:
            errors = {"card": FieldError("card", "storefront.card.declined")}
            return await self._card_page(request, order, key, errors, status=402)
        status = await card_status(customer.ctx, order_id, outcomes)
        return redirect(f"/shop/orders/{order_id}?payment={status}")

    @get("/{order_id:int}")
    async def done(self, request: Request[Any, Any, Any], order_id: FromPath[int]) -> Response[Any]:
        found = await self._customer_order(request, order_id)
        if isinstance(found, Response):
            return found
        customer, order = found
        lang = translator(request).language
        position = await order_payment(customer.ctx, order_id)
        status = order_payment_status(order.state, position.confirmed, position.received)
        expectation = await transfer_expectation(customer.ctx, order_id)
        session = await hosted.complete_for_cart(
            visitor_ctx(request), cart.owner_of(request), order_id
        )

        def yen(amount: int) -> str:
            return format_yen(amount, lang)

        return await page(
            request,
            "pages/storefront/done.html",
            step="done",
            order=order,
            payment_status=status,
            card_result=request.query_params.get("payment", ""),
            already_placed=request.query_params.get("notice") == "already_placed",
            can_pay=order.state in CARD_STATES
            and order.payment_method == "card"
            and position.remaining_due > 0,
            failed=order.state is OrderState.FAILED,
            lines=[
                {
                    "name": line.name_ja if lang == "ja" else line.name_en,
                    "quantity": line.quantity,
                    "months": line.term_months,
                    "years": line.term_months // 12 if line.term_months % 12 == 0 else None,
                    "fqdns": line.fqdns,
                    "wildcards": line.wildcards,
                    "amount": yen(line.amount),
                }
                for line in order.lines
            ],
            subtotal=yen(order.subtotal),
            tax=yen(order.tax),
            total=yen(order.total),
            remaining_due=yen(position.remaining_due),
            expectation=expectation,
            expectation_amount=yen(expectation.amount) if expectation else "",
            due_date=expectation.due_date.strftime("%Y/%m/%d" if lang == "ja" else "%Y-%m-%d")
            if expectation
            else "",
            session=session,
        )
