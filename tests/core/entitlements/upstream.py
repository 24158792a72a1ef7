"""A tiny certificate upstream on loopback (real HTTP) for the fulfilment tests.

``POST /orders`` creates an order of ``quantity`` voucher codes, idempotent on the
``Idempotency-Key`` header (the same key answers the first order: no second *effective*
create). ``GET /orders/{id}`` reads one; an order made with ``pending`` stays ``processing``
until the test calls ``complete``. Faults, consumed one per matching request:

- ``error``: 500 before any work (nothing happened);
- ``error_after``: the order is created, then a 500 is answered (the ambiguous failure);
- ``hang``: the request is held ``seconds`` (longer than the client's timeout), then refused
  without work;
- ``hang_after``: the order is created, then the answer is held until ``release()`` or
  ``seconds`` pass (a worker blocked on the upstream, the moment a SIGKILL hits).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

API_KEY = "upstream-test-key"
REDEEM_BY = datetime(2027, 12, 31, 15, 0, tzinfo=UTC)


@dataclass
class Fault:
    kind: str
    method: str
    remaining: int
    seconds: float


class LoopbackUpstream:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.orders: dict[int, dict[str, Any]] = {}
        self.by_key: dict[str, int] = {}
        self.requests: list[tuple[str, str]] = []
        self.faults: list[Fault] = []
        self.released = threading.Event()
        self.holding = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                owner._handle(self, "POST")

            def do_GET(self) -> None:
                owner._handle(self, "GET")

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LoopbackUpstream:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.released.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    # -- what tests use ------------------------------------------------------------------

    def inject(self, kind: str, count: int = 1, method: str = "POST", seconds: float = 0) -> None:
        with self.lock:
            self.faults.append(Fault(kind, method, count, seconds))

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

    def release(self) -> None:
        self.released.set()

    def complete(self) -> None:
        """Every processing order is done (the upstream finished its validation)."""
        with self.lock:
            for order in self.orders.values():
                order["status"] = "completed"

    @property
    def effective_creates(self) -> int:
        with self.lock:
            return len(self.orders)

    def count(self, method: str, prefix: str = "/orders") -> int:
        with self.lock:
            return sum(1 for m, p in self.requests if m == method and p.startswith(prefix))

    # -- the server ----------------------------------------------------------------------

    def _take_fault(self, method: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.remaining > 0 and fault.method == method:
                    fault.remaining -= 1
                    return fault
        return None

    def _handle(self, request: BaseHTTPRequestHandler, method: str) -> None:
        with self.lock:
            self.requests.append((method, request.path))
        if request.headers.get("Authorization") != f"Bearer {API_KEY}":
            self._answer(request, 401, {"error": "unauthorised"})
            return
        fault = self._take_fault(method)
        if fault and fault.kind == "error":
            self._answer(request, 500, {"error": "injected failure"})
            return
        if fault and fault.kind == "hang":
            self.released.wait(fault.seconds)
            self._answer(request, 503, {"error": "too late"})
            return
        if method == "POST" and request.path == "/orders":
            length = int(request.headers.get("Content-Length") or 0)
            body = json.loads(request.rfile.read(length) or b"{}")
            status, answer = self._create(request.headers.get("Idempotency-Key") or "", body)
        elif method == "GET" and request.path.startswith("/orders/"):
            with self.lock:
                found = self.orders.get(int(request.path.rsplit("/", 1)[1]))
            status, answer = (200, dict(found)) if found else (404, {"error": "not found"})
        else:
            status, answer = 404, {"error": "not found"}
        if fault and fault.kind == "error_after":
            self._answer(request, 500, {"error": "injected failure after work"})
            return
        if fault and fault.kind == "hang_after":
            self.holding.set()
            self.released.wait(fault.seconds)
        self._answer(request, status, answer)

    def _create(self, key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if not key:
            return 400, {"error": "Idempotency-Key required"}
        with self.lock:
            if key in self.by_key:
                return 200, dict(self.orders[self.by_key[key]])
            order_id = 7001 + len(self.orders)
            quantity = int(body.get("quantity", 1))
            order = {
                "id": order_id,
                "key": key,
                "product": body.get("product", ""),
                "status": "processing" if body.get("pending") else "completed",
                "codes": [f"CODE{order_id}X{n:04d}" for n in range(quantity)],
                "redeem_by": REDEEM_BY.isoformat(),
            }
            self.orders[order_id] = order
            self.by_key[key] = order_id
            return 201, dict(order)

    @staticmethod
    def _answer(request: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(data)))
            request.end_headers()
            request.wfile.write(data)
        except OSError:
            pass  # the client is gone (timed out, or its worker was killed)
