"""The customer portal's first page: who is signed in and for which customer company."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get

from tenants.tables import Customer, CustomerUser
from web.controllers.auth import signed_in
from web.pages import render
from web.sessions import Area, SessionView


class PortalController(Controller):
    path = "/portal"
    include_in_schema = False

    @get("/")
    async def home(self, request: Request[Any, Any, Any]) -> Response[Any]:
        found = await signed_in(request, Area.PORTAL)
        if not isinstance(found, SessionView):
            return found
        rows = await CustomerUser.select(
            CustomerUser.display_name, CustomerUser.email, CustomerUser.customer
        ).where(CustomerUser.id == found.account_id)
        person = rows[0] if rows else {"display_name": "", "email": found.email, "customer": None}
        companies = await Customer.select(Customer.organization_name).where(
            Customer.id == person["customer"]
        )
        return render(
            request,
            "pages/portal/home.html",
            area=Area.PORTAL.value,
            person=person,
            company=companies[0]["organization_name"] if companies else "",
            notice=request.query_params.get("notice", ""),
        )
