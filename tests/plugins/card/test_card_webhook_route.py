"""POST /webhooks/stripe/{tenant_slug} end to end: localstripe for the intents, the
session database (card is a built-in), the web app with the card plugin's route.

A successful payment's webhook replayed five times, and a failed earlier attempt delivered after
the success, pay the order exactly once; a bad signature and an old timestamp are refused (400)
and logged; an unknown tenant is 404.
"""

import json
import logging
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from core.context import tenant_scope
from core.contracts.common import PluginAccount
from core.contracts.payments import PaymentRequest, PaymentState
from core.hookspecs import hookimpl
from core.orders.states import OrderState
from core.orders.views import get_order
from core.tables import OutboxEvent
from plugins.card import register_routes as card_routes
from plugins.card.adapter import CardAdapter
from plugins.card.webhooks import signature_header
from tenants.credentials import Keyring
from tenants.provider_accounts import save_account
from tests.conftest import (
    make_app,
    make_settings,
)
from tests.core.payments.helpers import new_order
from tests.plugins.card.conftest import SECRET_KEY, WEBHOOK_SECRET
from tests.tenants.helpers import active_tenant, staff_context


class LocalCardPlugin:
    """The card plugin as the app sees it, its adapter pointed at localstripe."""

    def __init__(self, api_base: str) -> None:
        base = api_base

        class LocalCard(CardAdapter):
            def __init__(self, account: Any) -> None:
                super().__init__(account, api_base=base)

        self.adapter = LocalCard

    @hookimpl
    def register_payment_adapters(self) -> list[type]:
        return [self.adapter]

    @hookimpl
    def register_piccolo_apps(self) -> list[str]:
        return ["plugins.card.piccolo_app"]

    @hookimpl
    def register_routes(self) -> list[Any]:
        return card_routes()


@pytest.fixture
async def shop(database, tmp_path, clock, localstripe):
    """The app, a tenant with its card account, and an order awaiting payment."""
    settings = make_settings(tmp_path / "var", database)
    app = make_app(
        settings,
        plugins=[LocalCardPlugin(localstripe)],
        disabled_plugins=["plugins.card"],
        clock=clock,
    )
    async with AsyncTestClient(app) as client:
        result, _ = await active_tenant(clock)
        ctx = staff_context(result.tenant, result.owner_id, clock)
        with tenant_scope(result.tenant):
            credentials = {"secret_key": SECRET_KEY, "webhook_secret": WEBHOOK_SECRET}
            keyring = Keyring.from_settings(settings)
            await save_account(ctx, keyring, "payment", "card", {}, credentials)
            order = await new_order(ctx, payment_method="card")
        yield client, ctx, order, LocalCardPlugin(localstripe).adapter


async def _pay(ctx, adapter_class, order, method: str | None, key: str):
    adapter = adapter_class(PluginAccount(credentials={"secret_key": SECRET_KEY}))
    request = PaymentRequest("order", order.id, order.total, 7, saved_method_ref=method)
    return await adapter.start(ctx.with_key(key), request)


async def _abandoned_attempt(ctx, adapter_class, order) -> str:
    """An earlier attempt the payer gave up, then cancelled. (localstripe cannot keep a
    declined intent: confirming with a declining card answers "Not implemented"; a declined
    attempt's outcome is covered by tests/core/payments/test_apply_outcome.py.)"""
    adapter = adapter_class(PluginAccount(credentials={"secret_key": SECRET_KEY}))
    started = await _pay(ctx, adapter_class, order, None, "try-1")
    await adapter.client.v1.payment_intents.cancel_async(started.reference)
    return started.reference


def _event(event_id: str, kind: str, intent_id: str) -> bytes:
    obj = {"id": intent_id, "object": "payment_intent", "status": "requires_payment_method"}
    return json.dumps({"id": event_id, "type": kind, "data": {"object": obj}}).encode()


async def _deliver(client, slug: str, body: bytes, timestamp: int, secret: str = WEBHOOK_SECRET):
    header = signature_header(body, secret, timestamp)
    return await client.post(
        f"/webhooks/stripe/{slug}",
        content=body,
        headers={"Stripe-Signature": header, "Content-Type": "application/json"},
    )


async def _events(ctx, event_type: str) -> int:
    with tenant_scope(ctx.tenant):
        return await OutboxEvent.count().where(
            (OutboxEvent.tenant_id == ctx.tenant.id) & (OutboxEvent.event_type == event_type)
        )


async def test_replayed_and_out_of_order_webhooks_pay_the_order_once(shop, clock):
    client, ctx, order, adapter_class = shop
    now = int(clock.now().timestamp())
    with tenant_scope(ctx.tenant):
        earlier = await _abandoned_attempt(ctx, adapter_class, order)
        succeeded = await _pay(ctx, adapter_class, order, "pm_card_visa", "try-2")
    assert succeeded.state is PaymentState.SUCCEEDED
    body = _event("evt_ok", "payment_intent.succeeded", succeeded.reference)
    answers = [await _deliver(client, ctx.tenant.slug, body, now) for _ in range(5)]
    assert [a.status_code for a in answers] == [200] * 5
    assert [a.json()["duplicate"] for a in answers] == [False, True, True, True, True]
    assert answers[0].json()["applied"] == 1
    # the earlier attempt's failure arrives late, then a stale event about the paid intent
    late = _event("evt_late_fail", "payment_intent.payment_failed", earlier)
    stale = _event("evt_stale", "payment_intent.payment_failed", succeeded.reference)
    late_answer = await _deliver(client, ctx.tenant.slug, late, now)
    stale_answer = await _deliver(client, ctx.tenant.slug, stale, now)
    assert late_answer.status_code == 200 and late_answer.json()["applied"] == 1
    assert stale_answer.status_code == 200 and stale_answer.json()["applied"] == 0
    with tenant_scope(ctx.tenant):
        assert (await get_order(ctx, order.id)).state is OrderState.PAID
    assert await _events(ctx, "order.paid") == 1
    assert await _events(ctx, "payment.confirmed") == 1
    assert await _events(ctx, "payment.cancelled") == 1


async def test_a_bad_signature_and_an_old_timestamp_are_refused_and_logged(shop, clock, caplog):
    client, ctx, order, _ = shop
    now = int(clock.now().timestamp())
    body = _event("evt_forged", "payment_intent.succeeded", "pi_forged")
    with caplog.at_level(logging.WARNING, logger="shomei.payments"):
        forged = await _deliver(client, ctx.tenant.slug, body, now, secret="whsec_wrong")
        old = await _deliver(client, ctx.tenant.slug, body, now - 301)
    assert forged.status_code == 400 and old.status_code == 400
    assert forged.json()["errors"][0]["code"] == "payments.webhook.rejected"
    reasons = [getattr(r, "reason", "") for r in caplog.records]
    assert "signature mismatch" in reasons
    assert any(reason.startswith("timestamp too old") for reason in reasons)
    with tenant_scope(ctx.tenant):
        assert (await get_order(ctx, order.id)).state is OrderState.AWAITING_PAYMENT


async def test_an_unknown_tenant_is_not_found(shop, clock):
    client, *_ = shop
    body = _event("evt_x", "payment_intent.succeeded", "pi_x")
    answer = await _deliver(client, "no-such-shop", body, int(clock.now().timestamp()))
    assert answer.status_code == 404
