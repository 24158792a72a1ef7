"""The checkout: cart → account (sign in or sign up) → payment method → pay → confirmation.

Every step is its own page on the server, reached by a POST that stores what it decided (the
cart, the session), so the browser's back button always shows a page that is still true; a
step reached too early redirects to the first step that is missing (an empty cart to the
cart, no customer to the account step). The order is placed through
``core.orders.placing.create_order`` under the cart's one-time form token, so a double click
or a second tab places one order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect

from core import outbox
from core.catalog.payment_methods import accepted_methods
from core.db import write_transaction
from core.errors import FieldError, ValidationFailed
from core.orders.placing import OrderRequest, create_order
from tenants.credentials import Keyring
from tenants.customers import add_customer_user, create_customer, set_contact
from tenants.logins import AccountKind, login
from tenants.tables import ContactRole
from tenants.validation import normalise_email
from web import sessions
from web.controllers.auth import by_field, client_ip, required
from web.pages import translator
from web.sessions import Area, Stage
from web.storefront import cart, hosted
from web.storefront.context import (
    Customer,
    order_deps,
    signed_in_customer,
    tenant_of,
    visitor_ctx,
)
from web.storefront.forms import Errors
from web.storefront.hosted import OPEN
from web.storefront.page import page
from web.storefront.shop import cart_view, redirect

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
SIGN_UP_FIELDS = (
    "organization_name",
    "postal_code",
    "prefecture",
    "address",
    "phone",
    "display_name",
    "email",
    "password",
)


@dataclass
class SignInForm:
    email: str = ""
    password: str = ""
    csrf_token: str = ""


@dataclass
class SignUpForm:
    organization_name: str = ""
    postal_code: str = ""
    prefecture: str = ""
    address: str = ""
    phone: str = ""
    display_name: str = ""
    email: str = ""
    password: str = ""
    csrf_token: str = ""


@dataclass
class PlaceForm:
    payment_method: str = ""
    form_token: str = ""
    csrf_token: str = ""


async def methods_for(request: Request[Any, Any, Any], product_ids: list[int]) -> tuple[str, ...]:
    """The payment methods every product in the cart accepts (core.catalog.payment_methods)."""
    ctx = visitor_ctx(request)
    deps = await order_deps(request, ctx)
    if deps.payment_methods is None:
        return ()
    return await accepted_methods(ctx, product_ids, deps.payment_methods)


def back_to_start(view: dict[str, Any]) -> Redirect:
    """Where a step goes when the cart is empty: the order it just placed (the browser's back
    button after placing; the page says the order is already placed), else the cart."""
    if view["placed_order_id"]:
        return redirect(f"/shop/orders/{view['placed_order_id']}?notice=already_placed")
    return redirect("/shop/cart")


class CheckoutController(Controller):
    path = "/shop/checkout"
    include_in_schema = False

    @get("/")
    async def start(self, request: Request[Any, Any, Any]) -> Response[Any]:
        view = await cart_view(request)
        if view["empty"]:
            return back_to_start(view)
        if await signed_in_customer(request) is None:
            return redirect("/shop/checkout/account")
        return redirect("/shop/checkout/payment")

    async def _account_page(
        self,
        request: Request[Any, Any, Any],
        *,
        sign_in: SignInForm | None = None,
        sign_up: SignUpForm | None = None,
        errors: Errors | None = None,
        form: str = "",
        status: int = 200,
    ) -> Response[Any]:
        if sign_up is None:
            known = await hosted.session_for_cart(visitor_ctx(request), cart.owner_of(request))
            details = known["customer"] if known else {}
            sign_up = SignUpForm(
                organization_name=details.get("organization_name", ""),
                display_name=details.get("name", ""),
                email=details.get("email", ""),
            )
        return await page(
            request,
            "pages/storefront/account.html",
            status=status,
            step="account",
            sign_in=sign_in or SignInForm(email=request.query_params.get("email", "")),
            sign_up=sign_up or SignUpForm(),
            errors=errors or {},
            failed_form=form,
        )

    @get("/account")
    async def account(self, request: Request[Any, Any, Any]) -> Response[Any]:
        view = await cart_view(request)
        if view["empty"]:
            return back_to_start(view)
        if await signed_in_customer(request) is not None:
            return redirect("/shop/checkout/payment")
        return await self._account_page(request)

    async def _start_session(
        self, request: Request[Any, Any, Any], account_id: int, email: str, stage: Stage
    ) -> None:
        """Sign the browser in to the portal area; the cart follows the rotated session id."""
        ctx = visitor_ctx(request)
        old_owner = cart.owner_of(request)
        web = request.app.state.web
        await sessions.start(
            request, Area.PORTAL, ctx.tenant, account_id, email, stage, web.clock.now()
        )
        await cart.rekey(ctx, old_owner, cart.owner_of(request))

    @post("/sign-in")
    async def sign_in(
        self, request: Request[Any, Any, Any], data: Annotated[SignInForm, FORM]
    ) -> Response[Any]:
        web = request.app.state.web
        email = data.email.strip()
        errors = required(email=email, password=data.password)
        if errors:
            return await self._account_page(
                request, sign_in=data, errors=errors, form="sign_in", status=400
            )
        place = f"portal:{tenant_of(request).id}"
        if not await web.login_throttle.allow(place, client_ip(request), email):
            throttled = {"email": FieldError("email", "web.login_throttled")}
            return await self._account_page(
                request, sign_in=data, errors=throttled, form="sign_in", status=429
            )
        try:
            result = await login(
                AccountKind.CUSTOMER,
                email,
                data.password,
                web.clock,
                keyring=Keyring.from_settings(web.settings),
                ip_address=client_ip(request),
            )
        except ValidationFailed as exc:
            return await self._account_page(
                request, sign_in=data, errors=by_field(exc.errors), form="sign_in", status=400
            )
        if result.must_change_password:
            await self._start_session(
                request, result.account_id, normalise_email(email), Stage.CHANGE_PASSWORD
            )
            return redirect("/portal/password/change")
        await self._start_session(
            request, result.account_id, normalise_email(email), Stage.SIGNED_IN
        )
        return redirect("/shop/checkout/payment")

    @post("/sign-up")
    async def sign_up(
        self, request: Request[Any, Any, Any], data: Annotated[SignUpForm, FORM]
    ) -> Response[Any]:
        """A new customer company with its first login and billing contact (事務担当者), in
        one go; the person is then signed in and goes on to pay."""
        errors = required(**{name: getattr(data, name) for name in SIGN_UP_FIELDS})
        if errors:
            return await self._account_page(
                request, sign_up=data, errors=errors, form="sign_up", status=400
            )
        ctx = visitor_ctx(request)
        try:
            async with write_transaction():
                customer_id = await create_customer(
                    ctx, data.organization_name, data.postal_code, data.prefecture,
                    data.address, data.phone,
                )  # fmt: skip
                account_id = await add_customer_user(
                    ctx, customer_id, data.email, data.display_name, data.password,
                    set_by_staff=False,
                )  # fmt: skip
                await set_contact(
                    ctx, customer_id, ContactRole.BILLING.value, data.display_name,
                    data.email, data.phone,
                )  # fmt: skip
        except ValidationFailed as exc:
            data.password = ""
            return await self._account_page(
                request, sign_up=data, errors=by_field(exc.errors), form="sign_up", status=400
            )
        await self._start_session(request, account_id, normalise_email(data.email), Stage.SIGNED_IN)
        return redirect("/shop/checkout/payment")

    async def _payment_page(
        self,
        request: Request[Any, Any, Any],
        customer: Customer,
        errors: Errors | None = None,
        chosen: str = "",
        status: int = 200,
    ) -> Response[Any]:
        view = await cart_view(request)
        row = await cart.ensure(visitor_ctx(request), cart.owner_of(request))
        methods = await methods_for(request, view["product_ids"])
        return await page(
            request,
            "pages/storefront/payment.html",
            status=status,
            step="payment",
            cart=view,
            customer=customer,
            methods=methods,
            chosen=chosen or (methods[0] if methods else ""),
            form_token=row.form_token,
            errors=errors or {},
        )

    @get("/payment")
    async def payment(self, request: Request[Any, Any, Any]) -> Response[Any]:
        view = await cart_view(request)
        if view["empty"]:
            return back_to_start(view)
        customer = await signed_in_customer(request)
        if customer is None:
            return redirect("/shop/checkout/account")
        return await self._payment_page(request, customer)

    @post("/place")
    async def place(
        self, request: Request[Any, Any, Any], data: Annotated[PlaceForm, FORM]
    ) -> Response[Any]:
        customer = await signed_in_customer(request)
        if customer is None:
            return redirect("/shop/checkout/account")
        row = await cart.load(visitor_ctx(request), cart.owner_of(request))
        if row is None:
            return redirect("/shop/cart")
        if row.order_id and data.form_token == row.form_token:
            return redirect(f"/shop/orders/{row.order_id}/pay")  # a second click: same order
        if data.form_token != row.form_token:
            expired = {"form": FieldError("form", "storefront.checkout.cart_changed")}
            return await self._payment_page(request, customer, expired, status=409)
        lines = cart.lines_of(row)
        if not lines:
            return redirect("/shop/cart")
        session = await hosted.session_for_cart(visitor_ctx(request), row.owner)
        if session is not None and hosted.status_of(session, customer.ctx.clock.now()) != OPEN:
            shown = await hosted.get_session(
                customer.ctx, request.app.state.web.settings, session["public_id"]
            )
            return await page(
                request, "pages/storefront/session_closed.html", status=410, session=shown
            )
        ctx = customer.ctx.with_key(f"storefront:{row.form_token}")
        deps = await order_deps(request, ctx)
        try:
            order = await create_order(
                ctx,
                OrderRequest(data.payment_method, lines, customer.customer_id),
                deps,
            )
        except ValidationFailed as exc:
            errors = by_field(exc.errors)
            return await self._payment_page(
                request, customer, errors, data.payment_method, status=400
            )
        # the cart is emptied but keeps its token and order: a second click finds the order
        row.order_id = order.id
        row.payment_method = data.payment_method
        row.lines = []
        await row.save()
        await _order_received_mail(request, customer, order)
        return redirect(f"/shop/orders/{order.id}/pay")


async def _order_received_mail(
    request: Request[Any, Any, Any], customer: Customer, order: Any
) -> None:
    """注文受付 mail (``order.received`` through the outbox, once per order) to the person
    who placed it, in the language they checked out in."""
    lang = translator(request).language
    await outbox.record(
        customer.ctx,
        "order",
        order.id,
        "order.received",
        {
            "to": customer.email,
            "language": lang,
            "customer_name": customer.name,
            "order_number": order.number,
            "total": order.total,
            "items": [
                {
                    "name": line.name_ja if lang == "ja" else line.name_en,
                    "quantity": line.quantity,
                    "amount": line.amount,
                }
                for line in order.lines
            ],
            "order_url": f"{str(request.base_url).rstrip('/')}/portal/orders/{order.id}",
        },
    )
