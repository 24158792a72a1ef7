"""The browser areas as routers: each resolves who it serves from the Host header first."""

from __future__ import annotations

from litestar import Router

from web.controllers.auth import (
    ConsolePasswordReset,
    ConsoleSignIn,
    OperatorSignIn,
    PortalPasswordReset,
    PortalSignIn,
)
from web.controllers.console import ConsoleController
from web.controllers.operator import OperatorController
from web.controllers.portal import PortalController
from web.hosts import operator_host_middleware, tenant_host_middleware


def browser_routers() -> list[Router]:
    """Console and portal on a tenant's host (the console also while the tenant is pending or
    suspended, so its staff can sign in), operator pages on the base domain."""
    return [
        Router(
            path="/",
            route_handlers=[ConsoleSignIn, ConsolePasswordReset, ConsoleController],
            middleware=[tenant_host_middleware(allow_inactive=True)],
        ),
        Router(
            path="/",
            route_handlers=[PortalSignIn, PortalPasswordReset, PortalController],
            middleware=[tenant_host_middleware(allow_inactive=False)],
        ),
        Router(
            path="/",
            route_handlers=[OperatorSignIn, OperatorController],
            middleware=[operator_host_middleware],
        ),
    ]
