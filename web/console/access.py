"""Who may open a console page: the signed-in staff member of this tenant and their role.

Every console page starts with::

    me = await staff(request, Permission.ORDERS_VIEW)   # or staff(request) for any role
    if not isinstance(me, SignedInStaff):
        return me                                       # sign-in redirect, 403 or 404 page

The role is read with ``tenants.staff.acting_role`` (the same check services make with
``require_permission``) and judged by ``tenants.roles.can``; a role without the permission gets
the console's 403 page in the visitor's language. ``not_found(request)`` is the one 404 answer
for a missing id and for another tenant's id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request, Response

from core.context import Actor, ActorKind, Context
from tenants.errors import PermissionDenied
from tenants.roles import Permission, can
from tenants.staff import acting_role
from tenants.tables import StaffRole, StaffUser
from web.controllers.auth import client_ip, signed_in, web_state
from web.pages import render, request_tenant
from web.sessions import Area, SessionView


@dataclass(frozen=True)
class SignedInStaff:
    """The signed-in staff member, their role, and the context services are called with."""

    ctx: Context
    staff_id: int
    role: StaffRole
    person: dict[str, Any]

    def may(self, permission: Permission) -> bool:
        return can(self.role, permission)


async def staff(
    request: Request[Any, Any, Any], permission: Permission | None = None
) -> SignedInStaff | Response[Any]:
    """The signed-in staff member allowed ``permission``, or the response to send instead."""
    found = await signed_in(request, Area.CONSOLE)
    if not isinstance(found, SessionView):
        return found
    tenant = request_tenant(request)
    if tenant is None:
        return not_found(request)
    rows = await StaffUser.select(StaffUser.display_name, StaffUser.email).where(
        (StaffUser.id == found.account_id) & (StaffUser.tenant == tenant.id)
    )
    if not rows:
        return not_found(request)
    person = rows[0]
    actor = Actor(
        ActorKind.STAFF, str(found.account_id), person["display_name"], None, client_ip(request)
    )
    ctx = Context(tenant=tenant, actor=actor, clock=web_state(request).clock)
    try:
        role = await acting_role(ctx)
    except PermissionDenied:
        return forbidden(request)
    me = SignedInStaff(ctx, found.account_id, role, {**person, "role": role.value})
    if permission is not None and not me.may(permission):
        return forbidden(request, me)
    return me


def not_found(request: Request[Any, Any, Any]) -> Response[str]:
    """The one answer for a missing object and for another tenant's."""
    return render(request, "pages/auth/message.html", status=404, kind="console.not_found")


def forbidden(request: Request[Any, Any, Any], me: SignedInStaff | None = None) -> Response[str]:
    """The console's 403 page: signed in, but the role may not open this page."""
    if me is None:  # no longer an active staff member of this tenant
        return render(request, "pages/auth/message.html", status=403, kind="console.inactive")
    from web.console.pages import page  # the layout needs the navigation

    return page(request, me, "pages/console/forbidden.html", status=403)
