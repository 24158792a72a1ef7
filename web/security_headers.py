"""The headers every response carries, whatever produced it (a page, the JSON API, the API
documentation, a CSV or PDF download, an error, a plugin's route).

- ``X-Content-Type-Options: nosniff``: a browser never guesses a type other than the one sent,
  so an uploaded CSV cell or a customer's name can never run as a script or a style sheet;
- no framing, both ways browsers understand it (``X-Frame-Options: DENY`` and the CSP
  ``frame-ancestors 'none'``): the checkout opens in a popup, never in a frame (docs/embedding.md),
  so no page of shomei may be framed by another site (click-jacking).

A response that sets its own ``Content-Security-Policy`` (pages, the shop, the card form) keeps
it; the baseline policy only forbids framing and restricts nothing else.
"""

from __future__ import annotations

from litestar.types import Message, Scope

BASELINE: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
)


def with_baseline(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """``headers`` plus each baseline header the response did not set itself."""
    present = {name.lower() for name, _ in headers}
    return [*headers, *((name, value) for name, value in BASELINE if name not in present)]


async def add_security_headers(message: Message, scope: Scope) -> None:
    """A ``before_send`` hook: it sees every response, the router's own 404 and 405 included."""
    if message["type"] == "http.response.start":
        message["headers"] = with_baseline(list(message.get("headers", [])))
