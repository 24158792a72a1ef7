"""The operators' first page on the base domain: who is signed in, and the review queue."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get

from tenants.onboarding import pending_tenants
from web.operator.session import SignedInOperator, signed_in_operator
from web.pages import render
from web.sessions import Area


class OperatorController(Controller):
    path = "/operator"
    include_in_schema = False

    @get("/")
    async def home(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await signed_in_operator(request)
        if not isinstance(me, SignedInOperator):
            return me
        return render(
            request,
            "pages/operator/home.html",
            area=Area.OPERATOR.value,
            section="home",
            person=me.person,
            pending=len(await pending_tenants()),
            notice=request.query_params.get("notice", ""),
        )
