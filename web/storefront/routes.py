"""The storefront's browser routes (mounted on a tenant's host by ``web.areas``) and the hosted
checkout page of a session."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get
from litestar.params import FromPath

from core.errors import NotFound
from web.branding.public import BrandController
from web.storefront import cart, hosted
from web.storefront.checkout import CheckoutController
from web.storefront.context import signed_in_customer, visitor_ctx
from web.storefront.page import page
from web.storefront.pay import PayController
from web.storefront.shop import ShopController, redirect


class HostedCheckoutController(Controller):
    path = "/checkout"
    include_in_schema = False

    @get("/{public_id:str}")
    async def open(
        self, request: Request[Any, Any, Any], public_id: FromPath[str]
    ) -> Response[Any]:
        """Put the session's lines in this browser's cart and start the shop's checkout."""
        ctx = visitor_ctx(request)
        try:
            row = await hosted.open_in_cart(ctx, cart.owner_of(request), public_id)
        except NotFound:
            return await page(request, "pages/storefront/missing.html", status=404)
        if row is None:
            found = await hosted.get_session(ctx, request.app.state.web.settings, public_id)
            return await page(
                request, "pages/storefront/session_closed.html", status=410, session=found
            )
        if await signed_in_customer(request) is not None:
            return redirect("/shop/checkout/payment")
        email = row["customer"].get("email", "")
        return redirect(
            "/shop/checkout/account" + (f"?{urlencode({'email': email})}" if email else "")
        )


STOREFRONT_CONTROLLERS = (
    ShopController,
    CheckoutController,
    PayController,
    HostedCheckoutController,
    BrandController,
)
