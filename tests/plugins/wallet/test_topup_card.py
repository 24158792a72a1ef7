"""A wallet top-up paid by card against localstripe: through the wallet API, then the Stripe
webhook (replayed) and 3-D Secure; the wallet is credited exactly once each time."""

from __future__ import annotations

import json
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from core.context import system_scope, tenant_scope
from core.contracts.common import PluginAccount
from core.hookspecs import hookimpl
from core.outbox_relay import deliver_pending
from plugins.card.adapter import CardAdapter
from plugins.card.webhooks import signature_header
from plugins.wallet import ledger
from plugins.wallet.topup_return import topup_return_url
from plugins.wallet.topups import on_payment_received
from tenants.credentials import Keyring
from tenants.customers import create_customer
from tenants.onboarding import tenant_ref
from tenants.provider_accounts import save_account
from tenants.tables import Tenant
from tests.conftest import make_app, make_settings
from tests.plugins.card.conftest import SECRET_KEY, WEBHOOK_SECRET, clock, localstripe
from tests.plugins.card.test_card_payments import THREE_D_SECURE_CARD, authenticate, card_method
from tests.plugins.wallet.helpers import PASSWORD, assert_ledger_ok
from tests.tenants.helpers import staff_context
from tests.web.api_fixtures import api_tenant

__all__ = ["clock", "localstripe"]
HANDLERS = {"payment.received": [on_payment_received]}


class LocalCardPlugin:
    """The card plugin with its adapter pointed at localstripe."""

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
        from web.api.payments import stripe_webhook_router

        return [stripe_webhook_router()]


@pytest.fixture
async def shop(database, tmp_path, clock, localstripe):
    settings = make_settings(tmp_path / "var", database)
    plugin = LocalCardPlugin(localstripe)
    app = make_app(settings, plugins=[plugin], disabled_plugins=["plugins.card"], clock=clock)
    async with AsyncTestClient(app) as client:
        shop = await api_tenant(settings, clock)
        with system_scope("test: the API tenant"):
            tenant = tenant_ref(await Tenant.objects().where(Tenant.id == shop.tenant_id).first())
        ctx = staff_context(tenant, 0, clock)
        with tenant_scope(tenant):
            credentials = {"secret_key": SECRET_KEY, "webhook_secret": WEBHOOK_SECRET}
            await save_account(
                ctx, Keyring.from_settings(settings), "payment", "card", {}, credentials
            )
            customer = await create_customer(
                ctx, "株式会社チャージ", "100-0001", "東京都", "千代田区1-1", "03-1234-5678"
            )
            wallet = await ledger.open_wallet(ctx, customer, PASSWORD)
        yield client, ctx, shop.headers, wallet, plugin.adapter


async def deliver(client, slug: str, event_id: str, intent_id: str, clock) -> dict:
    obj = {"id": intent_id, "object": "payment_intent", "status": "processing"}
    body = json.dumps(
        {"id": event_id, "type": "payment_intent.succeeded", "data": {"object": obj}}
    ).encode()
    header = signature_header(body, WEBHOOK_SECRET, int(clock.now().timestamp()))
    answer = await client.post(
        f"/webhooks/stripe/{slug}",
        content=body,
        headers={"Stripe-Signature": header, "Content-Type": "application/json"},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


async def balance(ctx, wallet) -> int:
    with tenant_scope(ctx.tenant):
        await deliver_pending(ctx.tenant, HANDLERS, ctx.clock)
        await assert_ledger_ok(ctx)
        return await ledger.balance(ctx, wallet.id)


async def test_a_card_top_up_is_credited_once_however_often_stripe_calls(shop, clock):
    client, ctx, headers, wallet, _ = shop
    answer = await client.post(
        f"/api/v1/customers/{wallet.customer_id}/wallet/top-ups",
        json={"method": "card", "amount": 5_000, "payment_method": "pm_card_visa"},
        headers={**headers, "Idempotency-Key": "topup-0001"},
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["status"], body["balance"], body["amount"]) == ("credited", 5_000, 5_000)
    intent = body["payment_intent"]
    replies = [await deliver(client, ctx.tenant.slug, f"evt_{n}", intent, clock) for n in (1, 1, 2)]
    assert [r["applied"] for r in replies] == [0, 0, 0]  # the route had applied it already
    assert await balance(ctx, wallet) == 5_000
    shown = await client.get(f"/api/v1/customers/{wallet.customer_id}/wallet", headers=headers)
    assert shown.json()["balance"] == 5_000
    assert [(h["kind"], h["amount"]) for h in shown.json()["history"]] == [("topup", 5_000)]


async def test_a_three_d_secure_top_up_is_credited_by_the_webhook_once(shop, clock, localstripe):
    client, ctx, headers, wallet, adapter_class = shop
    adapter = adapter_class(PluginAccount(credentials={"secret_key": SECRET_KEY}))
    method = await card_method(adapter, THREE_D_SECURE_CARD)
    answer = await client.post(
        f"/api/v1/customers/{wallet.customer_id}/wallet/top-ups",
        json={"method": "card", "amount": 3_000, "payment_method": method},
        headers={**headers, "Idempotency-Key": "topup-3ds-01"},
    )
    body = answer.json()
    assert body["status"] == "requires_action" and body["client_secret"], body
    assert await balance(ctx, wallet) == 0
    await authenticate(localstripe, body["payment_intent"], body["client_secret"])
    first = await deliver(client, ctx.tenant.slug, "evt_3ds", body["payment_intent"], clock)
    again = await deliver(client, ctx.tenant.slug, "evt_3ds_again", body["payment_intent"], clock)
    assert (first["applied"], again["applied"]) == (1, 0)
    assert await balance(ctx, wallet) == 3_000
    assert await balance(ctx, wallet) == 3_000  # delivering again credits nothing more


async def test_a_top_up_needs_a_known_method_and_a_card(shop):
    client, _, headers, wallet, _ = shop
    url = f"/api/v1/customers/{wallet.customer_id}/wallet/top-ups"
    for payload, field in (
        ({"method": "cash", "amount": 100}, "method"),
        ({"method": "card", "amount": 100}, "payment_method"),
        ({"method": "card", "amount": 0, "payment_method": "pm_card_visa"}, "amount"),
    ):
        answer = await client.post(
            url, json=payload, headers={**headers, "Idempotency-Key": "topup-bad-01"}
        )
        assert answer.status_code == 422, answer.text
        assert answer.json()["errors"][0]["field"] == field


async def test_the_three_d_secure_return_credits_once_and_the_webhook_adds_nothing(
    shop, clock, localstripe
):
    client, ctx, headers, wallet, adapter_class = shop
    adapter = adapter_class(PluginAccount(credentials={"secret_key": SECRET_KEY}))
    method = await card_method(adapter, THREE_D_SECURE_CARD)
    answer = await client.post(
        f"/api/v1/customers/{wallet.customer_id}/wallet/top-ups",
        json={"method": "card", "amount": 4_000, "payment_method": method},
        headers={**headers, "Idempotency-Key": "topup-3ds-ret"},
    )
    body = answer.json()
    assert body["status"] == "requires_action", body
    await authenticate(localstripe, body["payment_intent"], body["client_secret"])
    # what Stripe does after 3-D Secure: the browser opens our signed return address
    settings = client.app.state.web.settings
    back = topup_return_url(settings, ctx.tenant, wallet.id, "https://panel.example.jp/w?x=1")
    path = back.removeprefix(settings.public_url)
    returns = [
        await client.get(f"{path}&payment_intent={body['payment_intent']}", follow_redirects=False)
        for _ in range(3)
    ]
    assert [r.status_code for r in returns] == [303] * 3, returns[0].text
    assert returns[0].headers["location"] == "https://panel.example.jp/w?x=1&topup=credited"
    reply = await deliver(
        client, ctx.tenant.slug, "evt_after_return", body["payment_intent"], clock
    )
    assert reply["applied"] == 0
    assert await balance(ctx, wallet) == 4_000
    forged = await client.get(
        path.replace("x%3D1", "x%3D2") + f"&payment_intent={body['payment_intent']}",
        follow_redirects=False,
    )
    assert forged.status_code == 400


async def test_a_return_url_must_be_absolute(shop):
    client, _, headers, wallet, _ = shop
    answer = await client.post(
        f"/api/v1/customers/{wallet.customer_id}/wallet/top-ups",
        json={
            "method": "card",
            "amount": 100,
            "payment_method": "pm_card_visa",
            "return_url": "/relative",
        },
        headers={**headers, "Idempotency-Key": "topup-return-bad"},
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "return_url"
