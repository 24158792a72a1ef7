"""Which tenant (or the operator area) a browser request is for, judged from its Host header.

The console and the portal live on a tenant's host (``<slug>.<base domain>`` or its custom
domain); the operator pages on the base domain itself (the public URL's host). An unknown host
gets a 404 page in the visitor's language that says so; nothing else runs.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.types import ASGIApp, Receive, Scope, Send

from core.context import tenant_scope
from core.errors import ValidationFailed
from core.logs import bind_log_context
from tenants.branding import brand_for
from tenants.resolution import base_domain, resolve_host
from tenants.validation import normalise_host
from web.pages import BRAND_STATE, TENANT_STATE, render


def _host(request: Request[Any, Any, Any]) -> str:
    return request.headers.get("host", "")


async def _host_brand(scope: Scope, host: str) -> None:
    """On an active tenant's host, its brand for the refusal page (a customer who opens a
    base-domain address there sees the shop's name, not shomei's)."""
    settings = scope["app"].state.web.settings
    try:
        tenant = await resolve_host(host, base_domain(settings))
    except ValidationFailed:
        return
    with tenant_scope(tenant):
        scope.setdefault("state", {})[BRAND_STATE] = await brand_for(tenant)


async def _refuse(scope: Scope, receive: Receive, send: Send, message_id: str, host: str) -> None:
    if host:
        await _host_brand(scope, host)
    request: Request[Any, Any, Any] = Request(scope, receive)
    response = render(
        request, "pages/auth/unknown_host.html", status=404, message_id=message_id, host=host
    )
    await response.to_asgi_response(None, request)(scope, receive, send)


def tenant_host_middleware(*, allow_inactive: bool) -> Any:
    """Resolve the tenant from the host and run the request inside its tenant scope.

    ``allow_inactive`` lets a pending or suspended tenant's staff reach their console."""

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            request: Request[Any, Any, Any] = Request(scope)
            settings = scope["app"].state.web.settings
            host = normalise_host(_host(request))
            try:
                tenant = await resolve_host(
                    host, base_domain(settings), allow_inactive=allow_inactive
                )
            except ValidationFailed as exc:
                await _refuse(scope, receive, send, exc.errors[0].message_id, host)
                return
            with tenant_scope(tenant), bind_log_context(tenant=tenant.slug):
                brand = await brand_for(tenant)
                state = scope.setdefault("state", {})
                state[TENANT_STATE] = (tenant, brand.name)
                state[BRAND_STATE] = brand
                await app(scope, receive, send)

        return middleware

    return factory


def base_domain_middleware(message_id: str) -> Any:
    """Pages that answer on the base domain only (the public sign-up); elsewhere a 404 page
    says so with ``message_id`` (``{host}``: the host asked for)."""

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            request: Request[Any, Any, Any] = Request(scope)
            settings = scope["app"].state.web.settings
            host = normalise_host(_host(request))
            if not host or host != base_domain(settings):
                await _refuse(scope, receive, send, message_id, host)
                return
            await app(scope, receive, send)

        return middleware

    return factory


def operator_host_middleware(app: ASGIApp) -> ASGIApp:
    """Operator pages answer on the base domain only."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        request: Request[Any, Any, Any] = Request(scope)
        settings = scope["app"].state.web.settings
        host = normalise_host(_host(request))
        if not host or host != base_domain(settings):
            await _refuse(scope, receive, send, "web.operator_host_only", host)
            return
        await app(scope, receive, send)

    return middleware
