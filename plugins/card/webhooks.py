"""Verify Stripe's ``Stripe-Signature`` header on the raw request body, with our clock.

The scheme is Stripe's: the header is ``t=<unix seconds>,v1=<hex>[,v1=<hex>…]`` and each
``v1`` is HMAC-SHA256 of ``"<t>.<raw body>"`` keyed with the endpoint's signing secret
(``whsec_…``). A signature must match and ``t`` must be within ``tolerance`` seconds of now
(either way), or the event is refused. Deduplication by event id is the caller's
(``plugins.card.events.record_event_once``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

from core.errors import ShomeiError

SIGNATURE_HEADER = "Stripe-Signature"
DEFAULT_TOLERANCE = 300


class WebhookRejected(ShomeiError):
    """The webhook is not from Stripe for this tenant, or too old; ``reason`` says which."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"webhook refused: {reason}")


def compute_signature(payload: bytes, secret: str, timestamp: int) -> str:
    signed = str(timestamp).encode() + b"." + payload
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(payload: bytes, secret: str, timestamp: int) -> str:
    """The header Stripe would send (used by tests and by local tooling)."""
    return f"t={timestamp},v1={compute_signature(payload, secret, timestamp)}"


def _parse(header: str) -> tuple[int, list[str]]:
    timestamp: int | None = None
    signatures: list[str] = []
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            signatures.append(value)
    if timestamp is None:
        raise WebhookRejected("no timestamp in the signature header")
    if not signatures:
        raise WebhookRejected("no v1 signature in the signature header")
    return timestamp, signatures


def verify_webhook(
    payload: bytes,
    header: str | None,
    secret: str,
    now: datetime,
    tolerance: int = DEFAULT_TOLERANCE,
) -> dict[str, Any]:
    """The event as a dict, or ``WebhookRejected``. ``payload`` is the raw body, unparsed."""
    if not secret:
        raise WebhookRejected("the tenant has no webhook signing secret")
    if not header:
        raise WebhookRejected(f"no {SIGNATURE_HEADER} header")
    timestamp, signatures = _parse(header)
    expected = compute_signature(payload, secret, timestamp)
    if not any(hmac.compare_digest(expected, given) for given in signatures):
        raise WebhookRejected("signature mismatch")
    age = now.timestamp() - timestamp
    if age > tolerance:
        raise WebhookRejected(f"timestamp too old ({int(age)} s, tolerance {tolerance} s)")
    if -age > tolerance:
        raise WebhookRejected("timestamp in the future")
    try:
        event = json.loads(payload)
    except ValueError:
        raise WebhookRejected("the body is not JSON") from None
    if not isinstance(event, dict) or not event.get("id") or not event.get("type"):
        raise WebhookRejected("the body is not a Stripe event")
    return event
