"""CSRF protection for every state-changing request a browser can make with its session cookie.

The token is an HMAC of the browser's session id (``web.sessions``) under the deployment
secret, so it is tied to the session and changes when the session id rotates (sign-in,
second factor, password change, sign-out). Forms carry it in the hidden ``csrf_token`` field;
scripts may send it in the ``X-CSRF-Token`` header. A POST/PUT/PATCH/DELETE without a valid
token gets a 403 page in the visitor's language.

Two path prefixes are not checked, and only these: ``/api/`` (callers authenticate with an API
key in a header, which a browser never adds by itself) and ``/webhooks/`` (senders sign each
request; the handler checks the signature).
"""

from __future__ import annotations

import hmac
from typing import Any

from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.types import ASGIApp, Receive, Scope, Send

from web.sessions import browser, browser_id, mac

EXEMPT_PREFIXES: tuple[str, ...] = ("/api/", "/webhooks/")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
FIELD = "csrf_token"
HEADER = "x-csrf-token"


def csrf_token(request: Request[Any, Any, Any]) -> str:
    """The token to render into this visitor's forms."""
    secret = request.app.state.web.settings.secret_key
    return mac(secret, "csrf", browser_id(request))


def is_exempt(path: str) -> bool:
    return path.startswith(EXEMPT_PREFIXES)


async def _sent_token(request: Request[Any, Any, Any]) -> str:
    token = request.headers.get(HEADER, "")
    if token:
        return token
    content_type, _ = request.content_type
    if content_type in (RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART):
        form = await request.form()  # cached on the scope: the handler reads it again for free
        value = form.get(FIELD, "")
        return value if isinstance(value, str) else ""
    return ""


def csrf_middleware(app: ASGIApp) -> ASGIApp:
    """Refuse unsafe methods without the session's token; runs after ``session_middleware``."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] in SAFE_METHODS
            or is_exempt(scope.get("path", ""))
        ):
            await app(scope, receive, send)
            return
        request: Request[Any, Any, Any] = scope["app"].request_class(scope, receive)
        state = browser(request)
        sent = await _sent_token(request)
        expected = (
            mac(request.app.state.web.settings.secret_key, "csrf", state.sid)
            if state.sid and state.from_cookie
            else ""
        )
        if expected and sent and hmac.compare_digest(sent, expected):
            await app(scope, receive, send)
            return
        from web.pages import render

        response = render(request, "pages/auth/message.html", status=403, kind="csrf")
        await response.to_asgi_response(None, request)(scope, receive, send)

    return middleware
