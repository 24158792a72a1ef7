"""Rendering a console page inside the console layout, and the console's navigation.

``page(request, me, "pages/console/x.html", section="orders", **context)`` renders a
template that extends ``pages/console/layout.html``. The layout's navigation lists every
section of ``NAV`` that (1) the staff member's role may open and (2) has a route in the app
(so a section whose pages are not built yet never shows a dead link). A new console area adds
one ``NavItem`` here; ``section`` marks the current one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request, Response

from tenants.roles import Permission
from web.console.access import SignedInStaff
from web.pages import render
from web.sessions import Area


@dataclass(frozen=True)
class NavItem:
    section: str
    path: str
    label: str  # message id
    permission: Permission | None = None


NAV: tuple[NavItem, ...] = (
    NavItem("dashboard", "/console/", "web.console.nav.dashboard"),
    NavItem("orders", "/console/orders", "web.console.nav.orders", Permission.ORDERS_VIEW),
    NavItem("quotes", "/console/quotes", "web.console.nav.quotes", Permission.ORDERS_VIEW),
    NavItem(
        "certificates",
        "/console/certificates",
        "web.console.nav.certificates",
        Permission.ORDERS_VIEW,
    ),
    NavItem(
        "customers", "/console/customers", "web.console.nav.customers", Permission.CUSTOMERS_VIEW
    ),
    NavItem("invoices", "/console/invoices", "web.console.nav.invoices", Permission.INVOICES_VIEW),
    NavItem(
        "transfers", "/console/transfers", "web.console.nav.transfers", Permission.PAYMENTS_MANAGE
    ),
    NavItem("vouchers", "/console/vouchers", "web.console.nav.vouchers", Permission.ORDERS_VIEW),
    NavItem("products", "/console/products", "web.console.nav.products", Permission.CATALOG_MANAGE),
    NavItem(
        "providers",
        "/console/providers",
        "web.console.nav.providers",
        Permission.PROVIDER_ACCOUNTS_MANAGE,
    ),
    NavItem(
        "branding", "/console/branding", "web.console.nav.branding", Permission.TENANT_SETTINGS
    ),
    NavItem("staff", "/console/staff", "web.console.nav.staff", Permission.STAFF_MANAGE),
    NavItem(
        "api_keys", "/console/api-keys", "web.console.nav.api_keys", Permission.API_KEYS_MANAGE
    ),
    NavItem(
        "webhooks", "/console/webhooks", "web.console.nav.webhooks", Permission.API_KEYS_MANAGE
    ),
    NavItem("audit", "/console/audit", "web.console.nav.audit", Permission.AUDIT_VIEW),
    NavItem("mail", "/console/mail", "web.console.nav.mail", Permission.CUSTOMERS_VIEW),
)


def _route_paths(request: Request[Any, Any, Any]) -> set[str]:
    paths = request.app.state.get("console_paths")
    if paths is None:
        paths = {route.path.rstrip("/") or "/" for route in request.app.routes}
        request.app.state["console_paths"] = paths
    return paths


def nav_for(request: Request[Any, Any, Any], me: SignedInStaff) -> list[NavItem]:
    paths = _route_paths(request)
    return [
        item
        for item in NAV
        if (item.permission is None or me.may(item.permission))
        and (item.path.rstrip("/") or "/") in paths
    ]


def page(
    request: Request[Any, Any, Any],
    me: SignedInStaff,
    template: str,
    *,
    status: int = 200,
    **context: Any,
) -> Response[str]:
    return render(
        request,
        template,
        status=status,
        area=Area.CONSOLE.value,
        person=me.person,
        me=me,
        nav=nav_for(request, me),
        notice=request.query_params.get("notice", ""),
        **context,
    )
