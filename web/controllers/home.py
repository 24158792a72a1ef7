"""The landing page a person sees when ``shomei up`` says where to open it; on a tenant's
host (``<slug>.<base domain>`` or its custom domain) ``/`` is the tenant's shop instead, so a
customer who types the shop's address never meets shomei's own page."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.response import Redirect, Template

from core.errors import ValidationFailed
from tenants.resolution import base_domain, resolve_host
from tenants.validation import normalise_host
from web.i18n import translator_for
from web.state import WebState

SHOP = "/shop/"


class HomeController(Controller):
    include_in_schema = False

    @get("/")
    async def home(self, request: Request, state: State) -> Redirect | Template:
        web: WebState = state.web
        host = normalise_host(request.headers.get("host", ""))
        base = base_domain(web.settings)
        if host and host != base:
            try:
                await resolve_host(host, base)
            except ValidationFailed:
                pass  # not a tenant's (active) host: the landing page, as before
            else:
                query = request.url.query
                return Redirect(path=SHOP + (f"?{query}" if query else ""), status_code=302)
        _ = translator_for(request, web)
        return Template("pages/home.html", context={"_": _, "lang": _.language, **web.extra()})
