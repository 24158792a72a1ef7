"""The staff console's first page: who is signed in, for which tenant, with which role."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get

from tenants.tables import StaffUser
from web.controllers.auth import signed_in
from web.pages import render
from web.sessions import Area, SessionView


class ConsoleController(Controller):
    path = "/console"
    include_in_schema = False

    @get("/")
    async def dashboard(self, request: Request[Any, Any, Any]) -> Response[Any]:
        found = await signed_in(request, Area.CONSOLE)
        if not isinstance(found, SessionView):
            return found
        rows = await StaffUser.select(
            StaffUser.display_name, StaffUser.email, StaffUser.role
        ).where(StaffUser.id == found.account_id)
        person = rows[0] if rows else {"display_name": "", "email": found.email, "role": ""}
        return render(
            request,
            "pages/console/dashboard.html",
            area=Area.CONSOLE.value,
            person=person,
            notice=request.query_params.get("notice", ""),
        )
