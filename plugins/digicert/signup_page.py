"""Sign-up on the redeem link: an end customer without a portal login creates one, with their
company (a customer of this tenant), and is signed in and sent back to the redemption form.

The company and the login are made by ``tenants.customers`` (``create_customer``, then
``add_customer_user`` with a password the person chose) in one transaction, so a refused login
(an e-mail already registered, a weak password) leaves no company behind. Someone who already
has a login follows the portal's own sign-in link, which brings them back to the redemption
form once signed in (``?next=``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, Router, get, post

from core.context import Actor, ActorKind, Context
from core.db import bound_engine
from core.errors import ValidationFailed
from tenants.customers import add_customer_user, create_customer
from tenants.validation import normalise_email
from web import sessions
from web.controllers.auth import FORM, by_field, login_path, redirect, web_state
from web.hosts import tenant_host_middleware
from web.pages import render, request_tenant
from web.sessions import Area, Stage

PATH = "/digicert/signup"
REDEEM = "/digicert/redeem"
FIELDS = (
    "organization_name", "postal_code", "prefecture", "address", "phone", "display_name",
    "email", "password",
)  # fmt: skip


@dataclass
class SignUpForm:
    organization_name: str = ""
    postal_code: str = ""
    prefecture: str = ""
    address: str = ""
    phone: str = ""
    display_name: str = ""
    email: str = ""
    password: str = ""
    vc: str = ""
    csrf_token: str = ""


def redeem_path(code: str) -> str:
    return REDEEM + (f"?{urlencode({'vc': code})}" if code else "")


def signup_path(code: str) -> str:
    return PATH + (f"?{urlencode({'vc': code})}" if code else "")


def _page(request: Request[Any, Any, Any], form: SignUpForm, errors: Any, status: int = 200) -> Any:
    from plugins.digicert.console_pages import template

    shown = {k: v for k, v in asdict(form).items() if k not in ("password", "csrf_token")}
    return render(
        request, template(request, "digicert/redeem/signup.html"), status=status, area="portal",
        form=shown, errors=errors, fields=FIELDS,
        login_link=login_path(Area.PORTAL, next_path=redeem_path(form.vc)),
    )  # fmt: skip


class SignUpPage(Controller):
    path = PATH
    include_in_schema = False

    @get("/")
    async def form(self, request: Request[Any, Any, Any]) -> Response[Any]:
        return _page(request, SignUpForm(vc=request.query_params.get("vc", "")), {})

    @post("/")
    async def submit(
        self, request: Request[Any, Any, Any], data: Annotated[SignUpForm, FORM]
    ) -> Response[Any]:
        tenant = request_tenant(request)
        assert tenant is not None  # the router resolves the tenant from the host
        clock = web_state(request).clock
        email = normalise_email(data.email)
        ctx = Context(tenant, Actor(ActorKind.CUSTOMER, email, data.display_name.strip()), clock)
        try:
            async with bound_engine().transaction():
                company = await create_customer(
                    ctx, data.organization_name, data.postal_code, data.prefecture,
                    data.address, data.phone,
                )  # fmt: skip
                user_id = await add_customer_user(
                    ctx, company, email, data.display_name, data.password, set_by_staff=False
                )
        except ValidationFailed as exc:
            return _page(request, data, by_field(exc.errors), status=400)
        await sessions.start(
            request, Area.PORTAL, tenant, user_id, email, Stage.SIGNED_IN, clock.now()
        )
        return redirect(redeem_path(data.vc))


def signup_router() -> Router:
    return Router(
        path="/",
        route_handlers=[SignUpPage],
        middleware=[tenant_host_middleware(allow_inactive=False)],
    )
