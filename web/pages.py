"""Rendering a server page: translator, language links, CSRF token, safe headers.

Every page of the browser areas goes through ``render``: it picks the language (``?lang=``,
the ``lang`` cookie, Accept-Language, then the tenant's or the deployment's language), keeps a
``?lang=`` choice in the ``lang`` cookie so a form posted next is answered in it too, and sends
headers that keep the page out of caches, frames and other sites' Referer logs (a reset link
carries its token in the address).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response
from litestar.datastructures import Cookie
from litestar.enums import MediaType

from core.context import TenantRef
from core.i18n import LANGUAGES, Translator
from tenants.branding import Brand
from web.csrf import csrf_token
from web.i18n import negotiate_language
from web.sessions import is_secure

TENANT_STATE = "shomei_tenant"
BRAND_STATE = "shomei_brand"
SECURITY_HEADERS = {
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    "content-security-policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
}


def request_tenant(request: Request[Any, Any, Any]) -> TenantRef | None:
    """The tenant the host resolved to (set by ``web.hosts``), or None (operator host)."""
    found = request.scope.get("state", {}).get(TENANT_STATE)
    return found[0] if found else None


def request_tenant_name(request: Request[Any, Any, Any]) -> str:
    found = request.scope.get("state", {}).get(TENANT_STATE)
    return found[1] if found else ""


def request_brand(request: Request[Any, Any, Any]) -> Brand | None:
    """The brand of the host's tenant (``tenants.branding``), or None (operator host): every
    customer-facing page shows it in place of shomei's own name."""
    return request.scope.get("state", {}).get(BRAND_STATE)


STAFF_PREFIXES = ("/console", "/operator")
"""The tenant's staff and the operator see shomei's own pages; everyone else on a tenant's
host is the tenant's customer."""


def customer_brand(request: Request[Any, Any, Any]) -> Brand | None:
    """The brand a customer-facing page shows; None on staff and operator pages."""
    if request.url.path.startswith(STAFF_PREFIXES):
        return None
    return request_brand(request)


def translator(request: Request[Any, Any, Any]) -> Translator:
    web = request.app.state.web
    tenant = request_tenant(request)
    default = tenant.language if tenant else web.settings.default_language
    return Translator(web.catalogs, negotiate_language(request, default))


def lang_links(request: Request[Any, Any, Any]) -> dict[str, str]:
    """Links to this page in each language, keeping its other query parameters."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return {code: "?" + urlencode([*kept, ("lang", code)]) for code in LANGUAGES}


def render(
    request: Request[Any, Any, Any], template: str, *, status: int = 200, **context: Any
) -> Response[str]:
    web = request.app.state.web
    _ = translator(request)
    context.setdefault("customer_brand", customer_brand(request))
    html = web.pages.get_template(template).render(
        _=_,
        lang=_.language,
        csrf_token=csrf_token(request),
        lang_links=lang_links(request),
        tenant_name=request_tenant_name(request),
        **web.extra(),
        **context,
    )
    cookies = []
    if request.query_params.get("lang") in LANGUAGES:
        cookies.append(
            Cookie(
                key="lang",
                value=_.language,
                path="/",
                max_age=int(timedelta(days=365).total_seconds()),
                httponly=True,
                samesite="lax",
                secure=is_secure(web.settings),
            )
        )
    return Response(
        html,
        status_code=status,
        media_type=MediaType.HTML,
        headers=SECURITY_HEADERS,
        cookies=cookies,
    )
