"""Webhook signatures (Stripe's scheme, computed here) and event-id deduplication."""

import hashlib
import hmac
import json
from datetime import timedelta

import pytest

from core.context import TenantRef
from core.contracts.payments import PaymentRequest, PaymentState
from plugins.card.events import record_event_once
from plugins.card.webhooks import WebhookRejected, verify_webhook
from tests.plugins.card.conftest import WEBHOOK_SECRET


def sign(payload: bytes, timestamp: int, secret: str = WEBHOOK_SECRET) -> str:
    """Stripe's algorithm, written out: HMAC-SHA256 of ``t.payload``, hex, as ``t=…,v1=…``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def event_body(event_id: str, intent_id: str, kind: str = "payment_intent.succeeded") -> bytes:
    obj = {"id": intent_id, "object": "payment_intent", "status": "requires_action"}
    return json.dumps({"id": event_id, "type": kind, "data": {"object": obj}}).encode()


def test_a_correct_signature_is_accepted(clock):
    body = event_body("evt_1", "pi_1")
    now = int(clock.now().timestamp())
    event = verify_webhook(body, sign(body, now - 10), WEBHOOK_SECRET, clock.now())
    assert event["id"] == "evt_1"
    # Stripe may send several v1 signatures during a secret rotation
    header = f"t={now},v1={'0' * 64},{sign(body, now).split(',')[1]}"
    assert verify_webhook(body, header, WEBHOOK_SECRET, clock.now())["type"]


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (lambda body, now: sign(body, now, secret="whsec_other"), "signature mismatch"),
        (lambda body, now: sign(body + b" ", now), "signature mismatch"),
        (lambda body, now: sign(body, now - 301), "timestamp too old"),
        (lambda body, now: sign(body, now + 3600), "timestamp in the future"),
        (lambda body, now: f"t={now}", "no v1 signature"),
        (lambda body, now: "v1=abc", "no timestamp"),
        (lambda body, now: "", "no Stripe-Signature header"),
    ],
)
def test_bad_or_old_signatures_are_refused(clock, tamper, reason):
    body = event_body("evt_1", "pi_1")
    header = tamper(body, int(clock.now().timestamp()))
    with pytest.raises(WebhookRejected) as caught:
        verify_webhook(body, header, WEBHOOK_SECRET, clock.now())
    assert reason in caught.value.reason


def test_old_timestamp_is_judged_by_the_injected_clock(clock):
    body = event_body("evt_1", "pi_1")
    header = sign(body, int(clock.now().timestamp()))
    verify_webhook(body, header, WEBHOOK_SECRET, clock.now())
    clock.advance(timedelta(minutes=6))
    with pytest.raises(WebhookRejected):
        verify_webhook(body, header, WEBHOOK_SECRET, clock.now())


async def test_webhook_flow_with_a_replay(database, adapter, ctx, clock):
    """Verified, recorded once, confirmed by re-fetching the intent; the replay is a duplicate
    even though the event's own copy of the intent is stale (it still says requires_action)."""
    started = await adapter.start(ctx, _paid_request())
    body = event_body(f"evt_{started.reference}", started.reference)
    header = sign(body, int(clock.now().timestamp()))

    event = verify_webhook(body, header, adapter.webhook_secret, clock.now())
    assert await record_event_once(ctx, event["id"], event["type"]) is True
    (outcome,) = await adapter.confirm(ctx, {"event": event})
    assert (outcome.state, outcome.reference) == (PaymentState.SUCCEEDED, started.reference)

    replay = verify_webhook(body, header, adapter.webhook_secret, clock.now())
    assert await record_event_once(ctx, replay["id"], replay["type"]) is False


async def test_event_ids_are_per_tenant(database, ctx):
    other = ctx.__class__(TenantRef(2, "other"), ctx.actor, ctx.clock, ctx.idempotency_key)
    assert await record_event_once(ctx, "evt_shared") is True
    assert await record_event_once(other, "evt_shared") is True
    assert await record_event_once(other, "evt_shared") is False


def _paid_request() -> PaymentRequest:
    return PaymentRequest("order", 3, amount=2_200, customer_id=10, saved_method_ref="pm_card_visa")
