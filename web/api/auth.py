"""API-key authentication for the tenant API, with a tenant scope around the whole request.

A hosting panel sends its key in the ``X-API-Key`` header. The key is looked up in a system
scope (its tenant is not known yet), then the request runs inside that tenant's scope, so every
query it makes (and, on PostgreSQL, every connection) belongs to that tenant alone. A refused
key gets 401 with the reason (invalid, revoked, expired, tenant not active) in the caller's
language; too many requests from one key get 429.
"""

from __future__ import annotations

import json
from typing import Any

from litestar import Request
from litestar.types import ASGIApp, Receive, Scope, Send

from core.context import system_scope, tenant_scope
from core.errors import FieldError, ValidationFailed
from core.i18n import Translator
from core.logs import bind_log_context
from tenants.api_keys import ApiKeyPrincipal, authenticate
from web.api.errors import field_errors_body
from web.i18n import negotiate_language

HEADER = "x-api-key"
PUBLIC_PREFIXES = ("/api/v1/schema", "/api/v1/system")


def principal(request: Request) -> ApiKeyPrincipal:
    """The authenticated key of this request (set by the middleware)."""
    return request.scope["state"]["principal"]


def api_key_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(PUBLIC_PREFIXES):
            await app(scope, receive, send)
            return
        request: Request[Any, Any, Any] = Request(scope)
        web = scope["app"].state.web
        key = request.headers.get(HEADER, "")
        try:
            if not key:
                raise ValidationFailed([FieldError("api_key", "api.key_missing")])
            with system_scope("authenticate an API key"):
                found = await authenticate(key, web.clock)
        except ValidationFailed as exc:
            await _refuse(request, web, send, 401, exc.errors)
            return
        if not await web.rate_limiter.allow(f"api:{found.key_id}"):
            await _refuse(request, web, send, 429, [FieldError("api_key", "api.rate_limited")])
            return
        scope.setdefault("state", {})["principal"] = found
        with tenant_scope(found.tenant), bind_log_context(tenant=found.tenant.slug):
            await app(scope, receive, send)

    return middleware


async def _refuse(
    request: Request, web: Any, send: Send, status: int, errors: list[FieldError]
) -> None:
    translate = Translator(web.catalogs, negotiate_language(request, web.settings.default_language))
    body = json.dumps(field_errors_body(translate, errors), ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if status == 401:
        headers.append((b"www-authenticate", b'ApiKey header="X-API-Key"'))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
