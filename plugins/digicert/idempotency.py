"""Our idempotency key, carried by a field the CertCentral API keeps.

The API has no idempotency header, so the key rides as the last line of a voucher order's
``notes`` or a certificate order's ``comments``: ``shomei-idempotency-key: <key>``. Before a
create, and again after an ambiguous failure (a timeout or a 5xx after the request was sent),
the client searches for an order carrying the marker and returns it instead of creating twice.
"""

from __future__ import annotations

PREFIX = "shomei-idempotency-key: "


def marker(key: str) -> str:
    if not key or "\n" in key:
        raise ValueError("an idempotency key is one non-empty line")
    return PREFIX + key


def with_marker(text: str | None, key: str) -> str:
    """``text`` with the key's marker as its last line."""
    return f"{text}\n{marker(key)}" if text else marker(key)


def split_marker(text: str | None) -> tuple[str | None, str | None]:
    """(the text without the marker line, the key) of a ``notes`` or ``comments`` field."""
    if not text:
        return text, None
    lines = text.split("\n")
    if lines[-1].startswith(PREFIX):
        rest = "\n".join(lines[:-1])
        return (rest or None), lines[-1][len(PREFIX) :]
    return text, None
