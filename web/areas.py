"""The browser areas as routers: each resolves who it serves from the Host header first."""

from __future__ import annotations

from litestar import Router

from web.console.routes import CONSOLE_CONTROLLERS
from web.controllers.auth import (
    ConsolePasswordReset,
    ConsoleSignIn,
    OperatorSignIn,
    PortalPasswordReset,
    PortalSignIn,
)
from web.controllers.portal import PortalController
from web.hosts import base_domain_middleware, operator_host_middleware, tenant_host_middleware
from web.operator.routes import OPERATOR_CONTROLLERS
from web.portal_certificates.routes import PORTAL_CERTIFICATE_CONTROLLERS
from web.portal_payments.controllers import PORTAL_PAYMENT_CONTROLLERS
from web.signup.pages import SignUpController
from web.storefront.routes import STOREFRONT_CONTROLLERS


def browser_routers() -> list[Router]:
    """Console and portal on a tenant's host (the console also while the tenant is pending or
    suspended, so its staff can sign in), operator pages and the public sign-up of a hosting
    company on the base domain."""
    return [
        Router(
            path="/",
            route_handlers=[ConsoleSignIn, ConsolePasswordReset, *CONSOLE_CONTROLLERS],
            middleware=[tenant_host_middleware(allow_inactive=True)],
        ),
        Router(
            path="/",
            route_handlers=[
                PortalSignIn,
                PortalPasswordReset,
                PortalController,
                *PORTAL_PAYMENT_CONTROLLERS,
                *PORTAL_CERTIFICATE_CONTROLLERS,
            ],
            middleware=[tenant_host_middleware(allow_inactive=False)],
        ),
        Router(
            path="/",
            route_handlers=[*STOREFRONT_CONTROLLERS],
            middleware=[tenant_host_middleware(allow_inactive=False)],
        ),
        Router(
            path="/",
            route_handlers=[OperatorSignIn, *OPERATOR_CONTROLLERS],
            middleware=[operator_host_middleware],
        ),
        Router(
            path="/",
            route_handlers=[SignUpController],
            middleware=[base_domain_middleware("web.signup.base_host_only")],
        ),
    ]
