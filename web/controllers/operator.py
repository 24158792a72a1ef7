"""The operators' first page on the base domain: who is signed in."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get

from tenants.tables import Operator
from web.controllers.auth import signed_in
from web.pages import render
from web.sessions import Area, SessionView


class OperatorController(Controller):
    path = "/operator"
    include_in_schema = False

    @get("/")
    async def home(self, request: Request[Any, Any, Any]) -> Response[Any]:
        found = await signed_in(request, Area.OPERATOR)
        if not isinstance(found, SessionView):
            return found
        rows = await Operator.select(Operator.display_name, Operator.email).where(
            Operator.id == found.account_id
        )
        person = rows[0] if rows else {"display_name": "", "email": found.email}
        return render(
            request,
            "pages/operator/home.html",
            area=Area.OPERATOR.value,
            person=person,
            notice=request.query_params.get("notice", ""),
        )
