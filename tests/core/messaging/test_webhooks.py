import json
from datetime import timedelta

import httpx
import pytest

from core import outbox
from core.clock import FrozenClock
from core.context import tenant_scope
from core.errors import ValidationFailed
from core.messaging import webhooks
from core.messaging.webhooks import (
    SIGNATURE_HEADER,
    attempt,
    backoff,
    claim_due,
    create_endpoint,
    list_attempts,
    list_deliveries,
    replay,
    sign,
    verify,
    webhook_handlers,
)
from core.outbox_relay import deliver_pending
from tests.core.messaging.helpers import START, Receiver, branded_tenant, context, guard

PAID = {"order_id": 77, "total": 11_000, "to": "taro@example.jp", "language": "ja"}


def test_signature_verifies_and_a_tampered_body_is_rejected():
    body = json.dumps({"type": "order.paid", "data": {"total": 11000}})
    now = int(START.timestamp())
    header = sign("whsec_x", now, body)
    assert header.startswith(f"t={now},v1=")
    assert verify("whsec_x", header, body, now=now)
    assert verify("whsec_x", header, body.encode(), now=now + 300)
    assert not verify("whsec_x", header, body.replace("11000", "1"), now=now)  # tampered body
    assert not verify("whsec_y", header, body, now=now)  # wrong secret
    assert not verify("whsec_x", header, body, now=now + 301)  # too old: a replayed capture
    assert not verify("whsec_x", "garbage", body, now=now)


def test_backoff_doubles_from_30_seconds_and_is_capped_at_an_hour():
    assert [backoff(n) for n in range(1, 9)] == [30, 60, 120, 240, 480, 960, 1920, 3600]
    assert backoff(30) == 3600


async def test_endpoint_checks(database):
    clock = FrozenClock(START)
    tenant = await branded_tenant(clock)
    with tenant_scope(tenant), pytest.raises(ValidationFailed) as refused:
        await create_endpoint(
            context(tenant, clock), "http://example.com/x", ["nope"],
            guard=guard(allow_loopback=False),
        )  # fmt: skip
    fields = {(e.field, e.message_id) for e in refused.value.errors}
    assert ("url", "messaging.webhook.url_invalid") in fields
    assert ("event_types", "messaging.webhook.events_invalid") in fields


async def test_a_500_then_200_is_retried_with_backoff_logged_and_replayable(database):
    clock = FrozenClock(START)
    tenant = await branded_tenant(clock)
    ctx = context(tenant, clock)
    with Receiver() as receiver, tenant_scope(tenant):
        _, secret = await create_endpoint(ctx, receiver.url, ["order.paid"], guard=guard())
        receiver.secret, receiver.clock = secret, clock
        receiver.answers = [500]
        await outbox.record(ctx, "order", 77, "order.paid", PAID)
        await outbox.record(ctx, "order", 77, "order.fulfilled", {"order_id": 77})
        handlers = webhook_handlers()
        await deliver_pending(tenant, handlers, clock)
        await deliver_pending(tenant, handlers, clock)  # a redelivery creates nothing new
        [delivery] = await list_deliveries(ctx)
        assert delivery.event_type == "order.paid" and delivery.status == "pending"

        [due] = await claim_due(clock.now())
        assert (due.delivery_id, due.attempts) == (delivery.id, 0)
        assert await claim_due(clock.now()) == []  # claimed: not handed out twice
        first = await attempt(ctx, due.delivery_id, 0, guard=guard())
        assert first is not None and first.status == "queued"
        assert first.status_code == 500 and first.retry_in == 30
        assert (
            await attempt(ctx, due.delivery_id, 0, guard=guard()) is None
        )  # a duplicate task: no-op

        clock.advance(timedelta(seconds=30))
        second = await attempt(ctx, due.delivery_id, 1, guard=guard())
        assert second is not None and second.status == "delivered" and second.retry_in is None

        log = await list_attempts(ctx, delivery.id)
        assert [(a.number, a.status_code, a.replay) for a in log] == [
            (1, 500, False),
            (2, 200, False),
        ]
        assert "HTTP 500" in log[0].error and log[1].error == ""
        assert all(a.duration_ms >= 0 for a in log)

        again = await replay(ctx, delivery.id)
        third = await attempt(ctx, again.delivery_id, again.attempts, guard=guard())
        assert third is not None and third.status == "delivered"
        assert [a.replay for a in await list_attempts(ctx, delivery.id)] == [False, False, True]

    assert len(receiver.requests) == 3
    assert all(request["valid"] for request in receiver.requests)
    assert len({request["body"] for request in receiver.requests}) == 1  # the same body
    sent = receiver.requests[0]
    assert sent["json"]["type"] == "order.paid" and sent["json"]["data"]["total"] == 11_000
    assert "to" not in sent["json"]["data"]  # mail routing stays private
    assert sent["headers"]["Shomei-Event"] == "order.paid"
    assert SIGNATURE_HEADER in sent["headers"]


async def test_unsubscribed_and_inactive_endpoints_get_nothing(database):
    clock = FrozenClock(START)
    tenant = await branded_tenant(clock)
    ctx = context(tenant, clock)
    with tenant_scope(tenant):
        wanted, _ = await create_endpoint(ctx, "https://a.example.jp/h", ["*"], guard=guard())
        await create_endpoint(ctx, "https://b.example.jp/h", ["invoice.paid"], guard=guard())
        off, _ = await create_endpoint(ctx, "https://c.example.jp/h", ["order.paid"], guard=guard())
        await webhooks.set_endpoint_active(ctx, off.id, False)
        await outbox.record(ctx, "order", 1, "order.paid", {"order_id": 1})
        await deliver_pending(tenant, webhook_handlers(), clock)
        assert [d.endpoint_id for d in await list_deliveries(ctx)] == [wanted.id]
        assert {e.url for e in await webhooks.list_endpoints(ctx)} == {
            "https://a.example.jp/h",
            "https://b.example.jp/h",
            "https://c.example.jp/h",
        }


async def test_an_unreachable_receiver_is_given_up_after_a_day(database):
    clock = FrozenClock(START)
    tenant = await branded_tenant(clock)
    ctx = context(tenant, clock)

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client = httpx.AsyncClient(transport=httpx.MockTransport(refuse))
    with tenant_scope(tenant):
        await create_endpoint(ctx, "https://down.example.jp/h", ["order.paid"], guard=guard())
        await outbox.record(ctx, "order", 2, "order.paid", {"order_id": 2})
        await deliver_pending(tenant, webhook_handlers(), clock)
        [delivery] = await list_deliveries(ctx)
        attempts, outcome = 0, None
        while True:
            outcome = await attempt(ctx, delivery.id, attempts, client=client, guard=guard())
            assert outcome is not None and outcome.status_code is None
            attempts += 1
            if outcome.retry_in is None:
                break
            clock.advance(timedelta(seconds=outcome.retry_in))
        assert outcome.status == "failed"
        assert clock.now() - START <= timedelta(days=1)
        assert 25 <= attempts <= 35
        [delivery] = await list_deliveries(ctx)
        assert delivery.status == "failed" and "ConnectError" in delivery.last_error
    await client.aclose()
