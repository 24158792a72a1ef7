"""POST /api/v1/orders/{id}/card-payments and GET /payments/card/return/{tenant_slug} against
localstripe: a plain card pays the order at once; a 3-D Secure card answers requires_action,
and after the payer authenticates, the return route (hit twice) and the webhook together pay
the order exactly once and send the browser back to the caller's return_url.

localstripe refuses ``return_url`` on PaymentIntents and always answers 3-D Secure with
``use_stripe_sdk``, so the adapter here drops the return address the route built (and keeps
it): the test then plays Stripe's part and sends the "browser" there with ``payment_intent``.
"""

from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import pytest
from litestar.testing import AsyncTestClient

from core.context import tenant_scope
from core.contracts.common import PluginAccount
from core.orders.states import OrderState
from core.orders.views import get_order
from core.payments.tables import AppliedOutcome
from core.tables import OutboxEvent
from plugins.card.adapter import CardAdapter
from tenants.api_keys import SCOPES, create_api_key
from tenants.credentials import Keyring
from tenants.provider_accounts import save_account
from tests.conftest import (
    make_app,
    make_settings,
)
from tests.core.payments.helpers import new_order
from tests.plugins.card.conftest import SECRET_KEY, WEBHOOK_SECRET
from tests.plugins.card.test_card_payments import THREE_D_SECURE_CARD, authenticate, card_method
from tests.plugins.card.test_card_webhook_route import LocalCardPlugin, _deliver, _event
from tests.tenants.helpers import active_tenant, staff_context

RETURN_URL = "https://shop.example.jp/checkout/done?cart=42"


class ReturningCardPlugin(LocalCardPlugin):
    """LocalCardPlugin whose adapter keeps (and does not send) the Stripe return address."""

    def __init__(self, api_base: str) -> None:
        super().__init__(api_base)
        base = self.adapter
        returns: list[str] = []
        self.returns = returns

        class Returning(base):  # type: ignore[misc, valid-type]
            async def start(self, ctx: Any, request: Any) -> Any:
                returns.append(request.return_url)
                return await super().start(ctx, replace(request, return_url=""))

        self.adapter = Returning


@pytest.fixture
async def shop(database, tmp_path, clock, localstripe):
    """The app, a tenant with its card account and an API key, and an order awaiting payment."""
    settings = make_settings(tmp_path / "var", database)
    plugin = ReturningCardPlugin(localstripe)
    app = make_app(settings, plugins=[plugin], disabled_plugins=["plugins.card"], clock=clock)
    async with AsyncTestClient(app) as client:
        result, _ = await active_tenant(clock)
        ctx = staff_context(result.tenant, result.owner_id, clock)
        with tenant_scope(result.tenant):
            credentials = {"secret_key": SECRET_KEY, "webhook_secret": WEBHOOK_SECRET}
            keyring = Keyring.from_settings(settings)
            await save_account(ctx, keyring, "payment", "card", {}, credentials)
            key = await create_api_key(ctx, "shop", list(SCOPES))
            order = await new_order(ctx, payment_method="card")
        yield client, ctx, order, plugin, {"X-API-Key": key.key}


async def _count(ctx, event_type: str) -> int:
    with tenant_scope(ctx.tenant):
        return await OutboxEvent.count().where(
            (OutboxEvent.tenant_id == ctx.tenant.id) & (OutboxEvent.event_type == event_type)
        )


async def _state(ctx, order_id: int) -> OrderState:
    with tenant_scope(ctx.tenant):
        return (await get_order(ctx, order_id)).state


async def test_a_plain_card_pays_the_order(shop):
    client, ctx, order, _, headers = shop
    answer = await client.post(
        f"/api/v1/orders/{order.id}/card-payments",
        json={"payment_method": "pm_card_visa", "return_url": RETURN_URL},
        headers=headers,
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["status"] == "paid" and body["payment_intent"].startswith("pi_")
    assert body["redirect_url"] is None and body["client_secret"] is None
    assert await _state(ctx, order.id) is OrderState.PAID
    assert await _count(ctx, "payment.confirmed") == 1
    again = await client.post(
        f"/api/v1/orders/{order.id}/card-payments",
        json={"payment_method": "pm_card_visa", "return_url": RETURN_URL},
        headers=headers,
    )
    assert again.status_code == 422  # paid: nothing is due any more


async def test_three_d_secure_is_paid_once_by_return_twice_and_webhook(shop, localstripe, clock):
    client, ctx, order, plugin, headers = shop
    method = await card_method(CardAdapter(plugin_account(), localstripe), THREE_D_SECURE_CARD)
    answer = await client.post(
        f"/api/v1/orders/{order.id}/card-payments",
        json={"payment_method": method, "return_url": RETURN_URL},
        headers=headers,
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["status"] == "requires_action" and body["client_secret"]
    intent = body["payment_intent"]
    assert await _state(ctx, order.id) is OrderState.AWAITING_PAYMENT
    (stripe_return,) = plugin.returns  # what Stripe would redirect the browser to
    parts = urlsplit(stripe_return)
    assert parts.path == f"/payments/card/return/{ctx.tenant.slug}"

    await authenticate(localstripe, intent, body["client_secret"])
    back = f"{parts.path}?{parts.query}&payment_intent={intent}"
    first = await client.get(back, follow_redirects=False)
    second = await client.get(back, follow_redirects=False)
    expected = f"{RETURN_URL}&order_id={order.id}&payment=paid"
    assert (first.status_code, first.headers["location"]) == (303, expected)
    assert (second.status_code, second.headers["location"]) == (303, expected)
    webhook = _event("evt_3ds_ok", "payment_intent.succeeded", intent)
    delivered = await _deliver(client, ctx.tenant.slug, webhook, int(clock.now().timestamp()))
    assert delivered.status_code == 200 and delivered.json()["applied"] == 0

    assert await _state(ctx, order.id) is OrderState.PAID
    assert await _count(ctx, "order.paid") == 1
    assert await _count(ctx, "payment.confirmed") == 1
    with tenant_scope(ctx.tenant):
        applied = await AppliedOutcome.count().where(
            (AppliedOutcome.tenant_id == ctx.tenant.id) & (AppliedOutcome.payable_id == order.id)
        )
    assert applied == 1

    forged = back.replace("sig=", "sig=0")
    refused = await client.get(forged, follow_redirects=False)
    assert refused.status_code == 400


def plugin_account() -> PluginAccount:
    return PluginAccount(credentials={"secret_key": SECRET_KEY})
