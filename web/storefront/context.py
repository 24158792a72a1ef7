"""Who a storefront request acts as, and the order engine's collaborators for it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request, Response

from core.context import Actor, Context, TenantRef
from core.orders.deps import OrderDeps
from web.api.deps import provide_order_deps
from web.controllers.portal import SignedInCustomer, portal_customer
from web.pages import request_tenant


def tenant_of(request: Request[Any, Any, Any]) -> TenantRef:
    tenant = request_tenant(request)
    if tenant is None:  # the storefront router always resolves a tenant from the host
        raise RuntimeError("storefront request without a tenant")
    return tenant


def visitor_ctx(request: Request[Any, Any, Any]) -> Context:
    """A visitor who has not signed in: reads the catalog and their own cart only."""
    return Context(tenant_of(request), Actor.system("storefront"), request.app.state.web.clock)


async def order_deps(request: Request[Any, Any, Any], ctx: Context) -> OrderDeps:
    """The same collaborators the JSON API gives the order engine (web.api.deps)."""
    return await provide_order_deps(request, ctx)


@dataclass(frozen=True)
class Customer:
    """The signed-in customer of the checkout (the portal's own lookup)."""

    ctx: Context
    customer_id: int
    email: str
    name: str
    company: str
    portal: SignedInCustomer


async def signed_in_customer(request: Request[Any, Any, Any]) -> Customer | None:
    """The portal session's customer on this tenant, or None (not signed in, not finished)."""
    found: SignedInCustomer | Response[Any] = await portal_customer(request)
    if not isinstance(found, SignedInCustomer):
        return None
    return Customer(
        found.ctx,
        found.customer_id,
        found.person["email"],
        found.person["display_name"],
        found.company,
        found,
    )
