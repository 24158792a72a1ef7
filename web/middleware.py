"""Request ids and one structured log line per request (method, path, status, duration, tenant).

An incoming ``X-Request-ID`` of sane shape is kept (a hosting panel can correlate its own
logs); otherwise a new one is made. The id is returned in the response header and attached to
every log line written while the request runs.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from core.logs import bind_log_context
from web.pages import TENANT_STATE

REQUEST_ID_HEADER = b"x-request-id"
_SANE_ID = re.compile(rb"^[A-Za-z0-9._-]{8,64}$")
log = logging.getLogger("shomei.request")


def request_id_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(REQUEST_ID_HEADER, b"")
        request_id = incoming.decode() if _SANE_ID.match(incoming) else secrets.token_hex(12)
        scope.setdefault("state", {})["request_id"] = request_id
        status: dict[str, Any] = {"code": 500}
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (REQUEST_ID_HEADER, request_id.encode()),
                ]
            await send(message)

        with bind_log_context(request_id=request_id):
            try:
                await app(scope, receive, send_with_id)
            finally:
                log.info(
                    "request",
                    extra={
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status["code"],
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                        "tenant": _tenant_slug(scope),
                    },
                )

    return middleware


def _tenant_slug(scope: Scope) -> str | None:
    """The tenant the request was for: its host (pages) or its API key (the JSON API)."""
    state = scope.get("state", {})
    by_host = state.get(TENANT_STATE)
    if by_host:
        return str(by_host[0].slug)
    principal = state.get("principal")
    return str(principal.tenant.slug) if principal is not None else None
