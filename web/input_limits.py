"""Input that no handler should ever see, refused once for the whole app before any handler runs.

- an integer path parameter outside 1 … 2**31 - 1 (``/orders/99999999999``): 404, as any
  unknown id (no table could hold it);
- a NUL character in the query string or in a URL-encoded form: 400 naming the parameter
  (PostgreSQL refuses NUL in text; no person types one);
- an integer query parameter of the handler outside the 32-bit range: 400 naming it;
- a JSON body nested deeper than ``MAX_JSON_DEPTH``: 400; a JSON string holding NUL or an
  integer outside the 32-bit range anywhere in it: 422 naming the field (``lines[0].quantity``).

The body size is capped by the app (``MAX_BODY_BYTES``, Litestar's ``request_max_body_size``:
413). Field-specific limits (lengths, counts) are the constrained types of ``web.api.fields``.
API paths answer ``web.api.errors.ErrorsOut`` JSON; pages answer a short text in the
visitor's language.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

from litestar import Request
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from core.errors import FieldError
from core.i18n import Translator
from web.api.errors import field_errors_body
from web.api.fields import MAX_ID, MAX_INT
from web.i18n import negotiate_language

MAX_BODY_BYTES = 5 * 1024 * 1024
MAX_JSON_DEPTH = 32
_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(rb"[\[\]{}]")


class Refused(Exception):
    def __init__(self, status: int, errors: list[FieldError]) -> None:
        self.status, self.errors = status, errors
        super().__init__(errors)


def json_depth(body: bytes) -> int:
    """How deeply ``body`` nests arrays and objects (strings skipped), without parsing it."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub(b'""', body)):
        depth += 1 if bracket in (b"[", b"{") else -1
        deepest = max(deepest, depth)
    return deepest


def _json_problems(value: Any, path: str) -> list[FieldError]:
    if isinstance(value, str):
        return [FieldError(path or "body", "api.invalid.characters")] if "\x00" in value else []
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        if value > MAX_INT:
            return [FieldError(path or "body", "api.invalid.too_large", {"limit": MAX_INT})]
        if value < -MAX_INT:
            return [FieldError(path or "body", "api.invalid.too_small", {"limit": -MAX_INT})]
        return []
    found: list[FieldError] = []
    if isinstance(value, dict):
        for key, inner in value.items():
            name = f"{path}.{key}" if path else str(key)
            if "\x00" in key:
                found.append(FieldError(name, "api.invalid.characters"))
            found.extend(_json_problems(inner, name))
    elif isinstance(value, list):
        for position, inner in enumerate(value):
            found.extend(_json_problems(inner, f"{path}[{position}]"))
    return found


def check_json(body: bytes) -> None:
    """Refuse a JSON body too deep, or holding NUL or an integer no column can store."""
    if json_depth(body) > MAX_JSON_DEPTH:
        raise Refused(400, [FieldError("body", "api.invalid.too_deep", {"limit": MAX_JSON_DEPTH})])
    try:
        decoded = json.loads(body)
    except (ValueError, RecursionError):
        return  # not JSON: the handler's body parser answers 400
    problems = _json_problems(decoded, "")
    if problems:
        raise Refused(422, problems[:20])


def _int_query_names(scope: Scope) -> set[str]:
    """The handler's query parameters that are integers, by the name sent on the wire."""
    handler = scope.get("route_handler")
    if handler is None:
        return set()
    names = set()
    for name, field in handler.parsed_fn_signature.parameters.items():
        kinds = [field.annotation, *(t.annotation for t in field.inner_types)]
        if int in kinds and bool not in kinds:
            alias = getattr(field.kwarg_definition, "query", None) or name
            names.add(alias)
    return names


def check_query(scope: Scope) -> None:
    pairs = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    ints = _int_query_names(scope)
    for name, value in pairs:
        if "\x00" in name or "\x00" in value:
            raise Refused(400, [FieldError(name.replace("\x00", ""), "api.invalid.characters")])
        number = value.strip().lstrip("+-")
        if name in ints and number.isdigit() and abs(int(value)) > MAX_INT:
            raise Refused(400, [FieldError(name, "api.invalid.too_large", {"limit": MAX_INT})])


def check_path(scope: Scope) -> None:
    for name, value in (scope.get("path_params") or {}).items():
        if isinstance(value, int) and not isinstance(value, bool) and not 1 <= value <= MAX_ID:
            raise Refused(404, [FieldError(name, "api.not_found")])


def _content_type(scope: Scope) -> str:
    for key, value in scope.get("headers", []):
        if key == b"content-type":
            return value.decode("latin-1").split(";")[0].strip().lower()
    return ""


async def _read_body(receive: Receive) -> tuple[bytes, list[Message]]:
    chunks, messages = [], []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if sum(map(len, chunks)) > MAX_BODY_BYTES or not message.get("more_body", False):
            break
    return b"".join(chunks), messages


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay


async def _refuse(scope: Scope, receive: Receive, send: Send, refused: Refused) -> None:
    request: Request[Any, Any, Any] = Request(scope, receive)
    web = scope["app"].state.web
    translate = Translator(web.catalogs, negotiate_language(request, web.settings.default_language))
    if scope.get("path", "").startswith("/api/"):
        body = json.dumps(field_errors_body(translate, refused.errors), ensure_ascii=False)
        content_type = b"application/json"
    else:
        body = "\n".join(
            f"{e.field}: {translate(e.message_id, **e.params)}" for e in refused.errors
        )
        content_type = b"text/plain; charset=utf-8"
    encoded = body.encode()
    headers = [
        (b"content-type", content_type),
        (b"content-length", str(len(encoded)).encode()),
    ]
    await send({"type": "http.response.start", "status": refused.status, "headers": headers})
    await send({"type": "http.response.body", "body": encoded})


def input_limits_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        try:
            check_path(scope)
            check_query(scope)
            kind = _content_type(scope)
            if scope.get("method") in ("POST", "PUT", "PATCH") and kind in (
                "application/json",
                "application/x-www-form-urlencoded",
            ):
                body, messages = await _read_body(receive)
                receive = _replay(messages, receive)
                if len(body) <= MAX_BODY_BYTES:  # larger: Litestar answers 413
                    if kind == "application/json":
                        check_json(body)
                    elif b"%00" in body or b"\x00" in body:
                        for name, value in parse_qsl(body.decode("latin-1"), True):
                            if "\x00" in name or "\x00" in value:
                                field = name.replace("\x00", "")
                                raise Refused(400, [FieldError(field, "api.invalid.characters")])
        except Refused as refused:
            await _refuse(scope, receive, send, refused)
            return
        await app(scope, receive, send)

    return middleware
