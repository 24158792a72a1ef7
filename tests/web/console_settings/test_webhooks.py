"""Webhooks page: an endpoint's signing secret shown once, the delivery log, replay, roles and
another tenant's ids."""

from __future__ import annotations

import pytest

from core.clock import FrozenClock
from core.messaging.tables import WebhookDelivery, WebhookEndpoint
from tests.web.browser import START, browser, browser_settings, make_app, make_shop
from tests.web.console_settings.people import Sessions, make_team, post

PAGE = "/console/webhooks"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def app(tmp_path, database, clock):
    return make_app(browser_settings(tmp_path, database), clock=clock)


@pytest.fixture
async def teams(clock):
    shops = [await make_shop(clock), await make_shop(clock)]
    return [await make_team(s.tenant, s.owner_id, clock) for s in shops]


async def test_endpoint_secret_once_delivery_log_and_replay(app, teams, clock):
    a, b = teams
    async with browser(app, a.host) as client:
        sessions = Sessions(client)
        admin = await sessions.as_(a, "admin")
        assert "送信先を追加する" in (await admin.get(PAGE + "?lang=ja")).text
        assert "Add an endpoint" in (await admin.get(PAGE + "?lang=en")).text
        refused = await post(admin, PAGE, PAGE, {"url": "ftp://x", "description": "パネル"})
        assert refused.status_code == 400 and 'id="url-error"' in refused.text
        assert 'value="パネル"' in refused.text
        created = await post(
            admin, PAGE, PAGE,
            {"url": "https://panel.example.jp/hooks", "event_types": ["order.paid"]},
        )  # fmt: skip
        assert created.status_code == 200
        endpoint = (
            await WebhookEndpoint.objects().where(WebhookEndpoint.tenant_id == a.tenant.id).first()
        )
        assert endpoint.secret in created.text
        assert endpoint.secret not in (await admin.get(PAGE)).text

        delivery = WebhookDelivery(
            tenant_id=a.tenant.id, endpoint_id=endpoint.id, event_id=1, event_type="order.paid",
            idempotency_key="test:1", body="{}", status="failed", attempts=3,
            window_started_at=clock.now(), last_status_code=500, created_at=clock.now(),
        )  # fmt: skip
        await delivery.save()
        log = await admin.get(PAGE + "?lang=en")
        assert f"/console/webhooks/deliveries/{delivery.id}" in log.text and "HTTP 500" in log.text
        detail = f"{PAGE}/deliveries/{delivery.id}"
        assert (await admin.get(detail + "?lang=ja")).status_code == 200
        intruder = await sessions.as_(b, "owner")
        assert (await intruder.get(detail)).status_code == 404
        assert (await post(intruder, PAGE, f"{detail}/replay", {})).status_code == 404
        for role in ("finance", "support", "read_only"):
            assert (await (await sessions.as_(a, role)).get(PAGE)).status_code == 403
        admin = await sessions.as_(a, "admin")
        replayed = await post(admin, PAGE, f"{detail}/replay", {})
        assert replayed.status_code == 303
    row = await WebhookDelivery.objects().where(WebhookDelivery.id == delivery.id).first()
    assert row.status == "queued" and row.next_attempt_at == clock.now()
