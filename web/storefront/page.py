"""Rendering a storefront page: the shared ``web.pages.render`` (which brings the tenant's
brand, ``web.pages.request_brand``) plus the shop's own headers and the progress trail."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response

from web.pages import render
from web.storefront import cart
from web.storefront.context import visitor_ctx
from web.storefront.hosted import OPEN, session_for_cart, status_of

SHOP_CSP = "default-src 'self'; img-src 'self' https:; frame-ancestors 'none'; form-action 'self'"
STEPS = ("cart", "account", "payment", "pay", "done")


async def page(
    request: Request[Any, Any, Any],
    template: str,
    *,
    status: int = 200,
    csp: str = SHOP_CSP,
    **context: Any,
) -> Response[str]:
    step = context.pop("step", "")
    ctx = visitor_ctx(request)
    session = await session_for_cart(ctx, cart.owner_of(request))
    response = render(
        request,
        template,
        status=status,
        panel_return=session["cancel_url"]
        if session and status_of(session, ctx.clock.now()) == OPEN
        else "",
        step=step,
        steps=STEPS,
        step_index=STEPS.index(step) if step in STEPS else -1,
        **context,
    )
    response.headers["content-security-policy"] = csp
    return response
