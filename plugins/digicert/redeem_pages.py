"""Redemption pages of the customer portal (``/digicert/…`` on the tenant's host).

The end customer follows the tenant's redeem link (``/digicert/redeem?vc=<code>``),
signs in with the portal sign-in (``web.controllers.auth``; not signed in → the sign-in page),
pastes a CSR and chooses DCV (HTTP token or e-mail), then watches the certificate's status,
checks DCV again, downloads the certificate (PEM with chain, PKCS#7) and reissues it with a new
CSR. Refusals come back per field with the input kept. A certificate request belongs to the
customer who redeemed it: another customer's (of this tenant or another) is the portal's 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, Response, Router, get, post
from litestar.params import FromPath

from core.errors import FieldError, NotFound, ValidationFailed
from plugins.digicert import redemption
from plugins.digicert.client import CertCentralClient
from plugins.digicert.console_pages import template
from plugins.digicert.downloads import p7b_response, pem_response
from plugins.digicert.errors import CertCentralError
from plugins.digicert.signup_page import signup_path
from plugins.digicert.upstream import tenant_client
from plugins.digicert.views import code_by_value
from tenants.credentials import Keyring
from web import sessions
from web.controllers.auth import FORM, by_field, redirect, web_state
from web.controllers.portal import SignedInCustomer, portal_customer, portal_not_found
from web.hosts import tenant_host_middleware
from web.pages import render, request_tenant
from web.sessions import Area

PREFIX = "/digicert"


@dataclass
class RedeemForm:
    code: str = ""
    csr: str = ""
    organization_name: str = ""
    dcv_method: str = "http-token"
    csrf_token: str = ""


@dataclass
class ReissueForm:
    csr: str = ""
    csrf_token: str = ""


async def _client(request: Request[Any, Any, Any], me: SignedInCustomer) -> CertCentralClient:
    settings = web_state(request).settings
    return await tenant_client(
        me.ctx,
        Keyring.from_settings(settings),
        settings.secret_key,
        settings.public_url,
        web_state(request).egress,
    )


def _page(
    request: Request[Any, Any, Any],
    me: SignedInCustomer,
    name: str,
    status: int = 200,
    **context: Any,
) -> Response[str]:
    return render(
        request,
        template(request, f"digicert/redeem/{name}"),
        status=status,
        area="portal",
        person=me.person,
        company=me.company,
        notice="",
        errors=context.pop("errors", {}),
        **context,
    )


def _upstream_error(exc: CertCentralError) -> dict[str, FieldError]:
    detail = exc.errors[0].message if exc.errors else str(exc)
    return {"form": FieldError("form", "digicert.upstream.refused", {"detail": detail})}


async def _voucher(me: SignedInCustomer, code: str) -> dict[str, Any] | None:
    if not code.strip():
        return None
    try:
        return await code_by_value(me.ctx, code)
    except NotFound:
        return None


class RedeemPages(Controller):
    path = PREFIX
    include_in_schema = False

    @get("/redeem")
    async def form(self, request: Request[Any, Any, Any]) -> Response[Any]:
        code = request.query_params.get("vc", "")
        loaded = await sessions.load(
            request, Area.PORTAL, request_tenant(request), web_state(request).clock.now()
        )
        if loaded.session is None:  # no login yet: sign up here, or sign in from there
            return redirect(signup_path(code))
        me = await portal_customer(request)
        if not isinstance(me, SignedInCustomer):
            return me
        form = RedeemForm(code=code, organization_name=me.company)
        return _page(request, me, "redeem.html", form=form, voucher=await _voucher(me, code))

    @post("/redeem")
    async def submit(
        self, request: Request[Any, Any, Any], data: Annotated[RedeemForm, FORM]
    ) -> Response[Any]:
        me = await portal_customer(request)
        if not isinstance(me, SignedInCustomer):
            return me
        errors: dict[str, FieldError] = {}
        try:
            async with await _client(request, me) as api:
                view = await redemption.redeem(
                    me.ctx, api, data.code, me.customer_id, data.csr, data.organization_name,
                    data.dcv_method,
                )  # fmt: skip
        except ValidationFailed as exc:
            errors = by_field(exc.errors, {"voucher_order": "code", "certificate": "code"})
        except NotFound:
            errors = {"code": FieldError("code", "digicert.voucher_code.not_found")}
        except CertCentralError as exc:
            errors = _upstream_error(exc)
        if errors:
            voucher = await _voucher(me, data.code)
            return _page(request, me, "redeem.html", 400, form=data, voucher=voucher, errors=errors)
        return redirect(f"{PREFIX}/certificates/{view.id}")

    async def _mine(
        self, request: Request[Any, Any, Any], redemption_id: int
    ) -> tuple[SignedInCustomer, redemption.RedemptionView] | Response[Any]:
        me = await portal_customer(request)
        if not isinstance(me, SignedInCustomer):
            return me
        try:
            view = await redemption.get_redemption(me.ctx, redemption_id)
        except NotFound:
            return portal_not_found(request)
        if view.customer_id != me.customer_id:
            return portal_not_found(request)
        return me, view

    def _status(
        self,
        request: Request[Any, Any, Any],
        me: SignedInCustomer,
        view: redemption.RedemptionView,
        status: int = 200,
        **context: Any,
    ) -> Response[str]:
        fqdns = [n for n in view.dns_names if not n.startswith("*.")]
        return _page(
            request, me, "certificate.html", status, certificate=view, http_names=fqdns,
            csr=context.pop("csr", ""), **context,
        )  # fmt: skip

    @get("/certificates/{redemption_id:int}")
    async def show(self, request: Request[Any, Any, Any], redemption_id: FromPath[int]) -> Any:
        found = await self._mine(request, redemption_id)
        if isinstance(found, Response):
            return found
        return self._status(request, *found)

    @post("/certificates/{redemption_id:int}/check")
    async def check(self, request: Request[Any, Any, Any], redemption_id: FromPath[int]) -> Any:
        found = await self._mine(request, redemption_id)
        if isinstance(found, Response):
            return found
        me, view = found
        try:
            async with await _client(request, me) as api:
                await redemption.poll(me.ctx, api, view.id)
        except CertCentralError as exc:
            return self._status(request, me, view, 502, errors=_upstream_error(exc))
        return redirect(f"{PREFIX}/certificates/{view.id}")

    @get("/certificates/{redemption_id:int}/pem")
    async def pem(self, request: Request[Any, Any, Any], redemption_id: FromPath[int]) -> Any:
        found = await self._mine(request, redemption_id)
        if isinstance(found, Response):
            return found
        me, view = found
        try:
            return pem_response(view)
        except ValidationFailed as exc:
            return self._status(request, me, view, 409, errors=by_field(exc.errors))

    @get("/certificates/{redemption_id:int}/p7b")
    async def p7b(self, request: Request[Any, Any, Any], redemption_id: FromPath[int]) -> Any:
        found = await self._mine(request, redemption_id)
        if isinstance(found, Response):
            return found
        me, view = found
        try:
            async with await _client(request, me) as api:
                return await p7b_response(api, view)
        except ValidationFailed as exc:
            return self._status(request, me, view, 409, errors=by_field(exc.errors))

    @post("/certificates/{redemption_id:int}/reissue")
    async def reissue(
        self,
        request: Request[Any, Any, Any],
        redemption_id: FromPath[int],
        data: Annotated[ReissueForm, FORM],
    ) -> Any:
        found = await self._mine(request, redemption_id)
        if isinstance(found, Response):
            return found
        me, view = found
        try:
            async with await _client(request, me) as api:
                await redemption.reissue_certificate(me.ctx, api, view.id, data.csr)
        except ValidationFailed as exc:
            errors = by_field(exc.errors, {"certificate": "csr"})
            return self._status(request, me, view, 400, errors=errors, csr=data.csr)
        except CertCentralError as exc:
            return self._status(request, me, view, 502, errors=_upstream_error(exc), csr=data.csr)
        return redirect(f"{PREFIX}/certificates/{view.id}")


def redeem_router() -> Router:
    """On the tenant's host, like the portal (an inactive tenant's customers get its 404)."""
    return Router(
        path="/",
        route_handlers=[RedeemPages],
        middleware=[tenant_host_middleware(allow_inactive=False)],
    )
