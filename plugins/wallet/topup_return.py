"""The browser's return from 3-D Secure for a card top-up: ``GET /payments/wallet-topup/return/
{tenant_slug}?wallet=…&to=…&sig=…&payment_intent=pi_…`` (no API key; the address is signed).

The card top-up route gives Stripe ``topup_return_url``: our route, carrying the caller's
``to`` and an HMAC (under the deployment secret) over tenant, wallet and ``to``, so nothing is
stored and the route only redirects where a caller of that tenant asked for that wallet. The
route re-fetches the intent with the tenant's card account and applies its top-up outcome
through the engine (``apply_topup_outcomes``): the same ``pi_…`` as the webhook's, so the
wallet is credited once whichever comes first and however often the browser returns. It then
answers 303 to ``to`` with ``topup`` = credited | failed | processing.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any
from urllib.parse import urlencode, urlsplit

from litestar import Request, Response, Router, get
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from core.context import Actor, Context, system_scope, tenant_scope
from core.contracts.payments import PaymentState
from core.errors import FieldError, NotFound, ShomeiError, ValidationFailed
from plugins.wallet import ledger
from plugins.wallet.ledger import TOPUP_PAYABLE
from plugins.wallet.topups import apply_topup_outcomes

log = logging.getLogger("shomei.payments")
RETURN_PATH = "/payments/wallet-topup/return"


def _signature(secret: str, tenant_id: int, wallet_id: int, to: str) -> str:
    message = f"wallet-topup-return:{tenant_id}:{wallet_id}:{to}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def valid_return_url(to: str) -> bool:
    parts = urlsplit(to)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def topup_return_url(settings: Any, tenant: Any, wallet_id: int, to: str) -> str:
    """Where Stripe sends the browser after 3-D Secure (it appends ``payment_intent``)."""
    sig = _signature(settings.secret_key, tenant.id, wallet_id, to)
    query = urlencode({"wallet": wallet_id, "to": to, "sig": sig})
    return f"{settings.public_url}{RETURN_PATH}/{tenant.slug}?{query}"


def _with_status(to: str, status: str) -> str:
    separator = "&" if urlsplit(to).query else "?"
    return f"{to}{separator}{urlencode({'topup': status})}"


async def _tenant(slug: str) -> Any:
    from tenants.onboarding import tenant_ref
    from tenants.tables import Tenant, TenantStatus

    with system_scope("resolve the tenant of a top-up return"):
        row = await Tenant.objects().where(Tenant.slug == slug).first()
    if row is None or row.status != TenantStatus.ACTIVE.value:
        return None
    return tenant_ref(row)


@get(f"{RETURN_PATH}/{{tenant_slug:str}}", include_in_schema=False)
async def topup_return(
    request: Request[Any, Any, Any],
    tenant_slug: FromPath[str],
    payment_intent: FromQuery[str] = "",
    wallet: FromQuery[int] = 0,
    to: FromQuery[str] = "",
    sig: FromQuery[str] = "",
) -> Response[Any]:
    from plugins.wallet.api import card_adapter
    from web.api.errors import error_response

    tenant = await _tenant(tenant_slug)
    if tenant is None:
        return error_response(request, 404, [FieldError("tenant", "api.not_found")])
    web = request.app.state.web
    expected = _signature(web.settings.secret_key, tenant.id, wallet, to)
    if not payment_intent or not valid_return_url(to) or not hmac.compare_digest(expected, sig):
        log.warning("top-up return refused", extra={"tenant_slug": tenant_slug})
        return error_response(request, 400, [FieldError("sig", "wallet.topup_return_invalid")])
    with tenant_scope(tenant):
        ctx = Context(tenant, Actor.system("card-return"), web.clock)
        try:
            card = await card_adapter(request, ctx)
            outcomes = await card.confirm(ctx, {"payment_intent": payment_intent})
        except (ShomeiError, ValidationFailed) as exc:
            log.warning("top-up return: intent not read", extra={"error": str(exc)})
            return Redirect(_with_status(to, "processing"), status_code=303)
        mine = [o for o in outcomes if (o.payable_type, o.payable_id) == (TOPUP_PAYABLE, wallet)]
        try:
            await ledger.find_wallet(ctx, wallet_id=wallet)
        except NotFound:
            return error_response(request, 404, [FieldError("wallet", "api.not_found")])
        await apply_topup_outcomes(ctx, "card", mine)
    status = "processing"
    if any(o.state is PaymentState.SUCCEEDED for o in mine):
        status = "credited"
    elif any(o.state is PaymentState.FAILED for o in mine):
        status = "failed"
    return Redirect(_with_status(to, status), status_code=303)


def topup_return_router() -> Router:
    """Outside ``/api/v1`` and its API-key middleware; a GET, so no CSRF token."""
    return Router(path="/", route_handlers=[topup_return])
