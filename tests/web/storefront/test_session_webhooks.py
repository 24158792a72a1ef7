"""The panel hears about a hosted checkout's order through its webhook endpoint: when the
order is paid (a Zengin import here) and when a certificate is issued, a signed
``checkout_session.*`` webhook carries the session id and the metadata the panel gave."""

from __future__ import annotations

import pytest

from core import outbox
from core.clock import FrozenClock
from core.context import tenant_scope
from core.messaging.webhooks import attempt, claim_due, create_endpoint, webhook_handlers
from core.outbox_relay import deliver_pending, merge_handlers
from core.plugins import build_plugin_manager
from tests.core.messaging.helpers import Receiver, guard
from tests.core.orders.helpers import TestPlugin
from tests.plugins.bank_transfer.builder import Transfer, notice_file
from tests.tenants.helpers import staff_context
from tests.web.browser import START, browser, browser_settings, make_app
from tests.web.storefront.helpers import make_store, place_through_session
from web.storefront.events import announce_for_session, storefront_handlers

PANEL = "https://panel.example-hosting.jp"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def settings(tmp_path, database):
    return browser_settings(tmp_path, database)


@pytest.fixture
def app(settings, clock):
    return make_app(settings, clock=clock, plugins=[TestPlugin()])


def test_the_web_plugin_registers_the_follow_up_handlers():
    pm = build_plugin_manager(load_entrypoints=False)
    handlers = merge_handlers(pm.hook.register_event_handlers()[::-1])
    assert announce_for_session in handlers["order.paid"]
    assert announce_for_session in handlers["entitlement.issued"]


async def test_paid_and_issued_reach_the_panel_with_the_session_metadata(app, settings, clock):
    store = await make_store(clock, settings)
    ctx = staff_context(store.shop.tenant, store.shop.owner_id, clock)
    with Receiver() as receiver:
        async with browser(app, store.host) as client:
            with tenant_scope(store.shop.tenant):
                _, secret = await create_endpoint(
                    ctx,
                    receiver.url,
                    ["checkout_session.order_paid", "checkout_session.entitlement_issued"],
                    guard=guard(),
                )
            receiver.secret, receiver.clock = secret, clock
            created = await client.post(
                "/api/v1/checkout-sessions",
                json={
                    "lines": [{"product_id": store.product_id, "term_months": 12}],
                    "success_url": f"{PANEL}/done",
                    "cancel_url": f"{PANEL}/",
                    "metadata": {"panel_account": "u-20931"},
                },
                headers=store.headers,
            )
            session = created.json()
            order_id = await place_through_session(client, store, session["url"], "bank_transfer")
            payment = await client.get(f"/api/v1/orders/{order_id}/payment", headers=store.headers)
            reference = payment.json()["instructions"]["payer_reference"]
            imported = await client.post(
                "/api/v1/bank-transfers/imports",
                content=notice_file([Transfer(33_000, f"{reference} ｵｷﾔｸｻﾏ")]),
                headers=store.headers,
            )
            assert imported.status_code == 200, imported.text
        with tenant_scope(store.shop.tenant):
            await outbox.record(
                ctx,
                "entitlement",
                1,
                "entitlement.issued",
                {"entitlement_id": 1, "order_id": order_id, "state": "issued"},
            )
        handlers = merge_handlers([webhook_handlers(), storefront_handlers()])
        await deliver_pending(store.shop.tenant, handlers, clock)  # writes the follow-ups
        await deliver_pending(store.shop.tenant, handlers, clock)  # makes their deliveries
        await deliver_pending(store.shop.tenant, handlers, clock)  # a redelivery adds nothing
        with tenant_scope(store.shop.tenant):
            for due in await claim_due(clock.now()):
                await attempt(ctx, due.delivery_id, due.attempts, guard=guard())

    sent = sorted(receiver.requests, key=lambda request: request["json"]["type"])
    assert [request["json"]["type"] for request in sent] == [
        "checkout_session.entitlement_issued",
        "checkout_session.order_paid",
    ]
    assert all(request["valid"] for request in sent)  # HMAC-signed with the endpoint's secret
    for request in sent:
        data = request["json"]["data"]
        assert data["checkout_session"] == session["id"]
        assert data["metadata"] == {"panel_account": "u-20931"}
        assert data["order_id"] == order_id
