"""Failure injection for fault tests: answer 500 or 429, or stall, for the next N API calls.

``before`` faults answer without doing the work (nothing happened upstream). ``after`` faults do
the work and then lose the answer: ``error_after`` replaces it with a 500, ``delay_after``
holds it back ``delay`` seconds, long enough for a client timeout. Those two are the ambiguous
failures a create must survive without creating twice.
"""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import dataclass
from typing import Any, Literal

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from plugins.digicert.sandbox.errors import error_body

FaultKind = Literal["error", "rate_limit", "delay", "error_after", "delay_after"]
API_MARK = "/services/v2/"


@dataclass
class Fault:
    kind: FaultKind
    remaining: int
    delay: float = 0.0
    method: str | None = None
    path_contains: str | None = None

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        return not self.path_contains or self.path_contains in path


class Faults:
    """Pending faults (first match wins) and a count of the API calls seen."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[Fault] = []
        self.calls: list[tuple[str, str]] = []

    def inject(
        self,
        kind: FaultKind,
        count: int = 1,
        *,
        delay: float = 0.0,
        method: str | None = None,
        path_contains: str | None = None,
    ) -> None:
        with self._lock:
            self._pending.append(Fault(kind, count, delay, method, path_contains))

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()
            self.calls.clear()

    def take(self, method: str, path: str) -> Fault | None:
        with self._lock:
            self.calls.append((method, path))
            for fault in self._pending:
                if fault.remaining > 0 and fault.matches(method, path):
                    fault.remaining -= 1
                    return fault
            return None

    def count(self, method: str | None = None, path_contains: str = "") -> int:
        with self._lock:
            return sum(
                1 for m, p in self.calls if (method is None or m == method) and path_contains in p
            )


def faults_middleware(faults: Faults) -> Any:
    """An ASGI middleware factory applying ``faults`` to API calls (not sandbox controls)."""

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            path = scope.get("path", "")
            if scope["type"] != "http" or API_MARK not in path:
                await app(scope, receive, send)
                return
            fault = faults.take(scope["method"], path)
            if fault is None:
                await app(scope, receive, send)
            elif fault.kind == "error":
                await _answer(send, 500, "internal_error", "injected failure")
            elif fault.kind == "rate_limit":
                await _answer(send, 429, "request_limit_exceeded", "Request limit exceeded")
            elif fault.kind == "delay":
                await asyncio.sleep(fault.delay)
                await app(scope, receive, send)
            else:
                held: list[Message] = []

                async def hold(message: Message) -> None:
                    held.append(message)

                await app(scope, receive, hold)
                if fault.kind == "error_after":
                    await _answer(send, 500, "internal_error", "injected failure after work")
                    return
                await asyncio.sleep(fault.delay)
                for message in held:
                    await send(message)

        return middleware

    return factory


async def _answer(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps(error_body(code, message)).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    if status == 429:
        headers.append((b"retry-after", b"1"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
