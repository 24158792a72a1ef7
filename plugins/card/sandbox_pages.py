"""The card sandbox's browser routes (``plugins.card.sandbox``), on a tenant's host:

- ``GET /payments/card/sandbox/stripe.js``: shomei's Stripe.js stand-in;
- ``POST /payments/card/sandbox/payment-methods``: test card details -> ``{"id": "pm_…"}``;
- ``POST /payments/card/sandbox/authenticate``: the sandbox's 3-D Secure answer.

All three answer 404 unless ``SHOMEI_STRIPE_API_BASE`` is a sandbox (not Stripe's address); the
two POSTs need a signed-in customer of the shop (a session cookie, so a CSRF token too).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from litestar import Controller, Request, Response, Router, get, post
from litestar.params import Body

from core.errors import ShomeiError, ValidationFailed
from plugins.card.sandbox import SandboxCard, authenticate, create_payment_method
from web.api.payments import card_adapter
from web.hosts import tenant_host_middleware
from web.pages import translator
from web.storefront.context import signed_in_customer

PATH = "/payments/card/sandbox"
SCRIPT = Path(__file__).parent / "static" / "stripe-sandbox.js"


@dataclass
class CardIn:
    number: str = ""
    exp_month: str = ""
    exp_year: str = ""
    cvc: str = ""


@dataclass
class AuthenticateIn:
    client_secret: str = ""
    success: bool = False


def _sandbox(request: Request[Any, Any, Any]) -> bool:
    return bool(request.app.state.web.settings.stripe_sandbox)


def _error(request: Request[Any, Any, Any], status: int, message_id: str) -> Response[Any]:
    message = translator(request)(message_id)
    return Response({"error": {"message": message}}, status_code=status)


class CardSandbox(Controller):
    path = PATH
    include_in_schema = False

    @get("/stripe.js")
    async def script(self, request: Request[Any, Any, Any]) -> Response[Any]:
        if not _sandbox(request):
            return Response("", status_code=404)
        return Response(
            SCRIPT.read_text("utf-8"),
            media_type="application/javascript",
            headers={"Cache-Control": "no-cache"},
        )

    async def _adapter(self, request: Request[Any, Any, Any]) -> Any:
        customer = await signed_in_customer(request)
        if customer is None:
            return _error(request, 401, "payments.card.sandbox_sign_in")
        try:
            return await card_adapter(request, customer.ctx)
        except (ShomeiError, ValidationFailed):
            return _error(request, 409, "payments.card.unavailable")

    @post("/payment-methods", status_code=200)
    async def payment_method(
        self, request: Request[Any, Any, Any], data: Annotated[CardIn, Body()]
    ) -> Response[Any]:
        if not _sandbox(request):
            return Response("", status_code=404)
        adapter = await self._adapter(request)
        if isinstance(adapter, Response):
            return adapter
        card = SandboxCard(data.number, data.exp_month, data.exp_year, data.cvc)
        try:
            method = await create_payment_method(adapter, card)
        except ShomeiError:
            return _error(request, 400, "payments.card.sandbox_card_refused")
        return Response({"id": method})

    @post("/authenticate", status_code=200)
    async def authenticate(
        self, request: Request[Any, Any, Any], data: Annotated[AuthenticateIn, Body()]
    ) -> Response[Any]:
        if not _sandbox(request):
            return Response("", status_code=404)
        adapter = await self._adapter(request)
        if isinstance(adapter, Response):
            return adapter
        try:
            intent = await authenticate(adapter, data.client_secret, data.success)
        except ShomeiError:
            return _error(request, 400, "payments.card.sandbox_not_authenticated")
        return Response({"id": intent})


def sandbox_router() -> Router:
    """On the tenant's host, like the shop whose card page uses it."""
    return Router(
        path="/",
        route_handlers=[CardSandbox],
        middleware=[tenant_host_middleware(allow_inactive=False)],
    )
