"""Webhooks page: an endpoint's signing secret shown once, the delivery log, replay, roles and
another tenant's ids."""

from __future__ import annotations

import pytest

from core.clock import FrozenClock
from core.messaging.tables import WebhookDelivery, WebhookEndpoint
from core.messaging.webhook_secrets import open_secret
from core.sealing import Keyring
from tests.conftest import TEST_SECRET
from tests.core.messaging.helpers import NameMap
from tests.web.browser import START, browser, browser_settings, make_app, make_shop
from tests.web.console_settings.people import Sessions, make_team, post

PAGE = "/console/webhooks"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def app(tmp_path, database, clock):
    settings = browser_settings(tmp_path, database, egress_allow_loopback="1")
    return make_app(settings, clock=clock, webhook_resolver=NameMap())


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
        secret = open_secret(Keyring(TEST_SECRET), a.tenant.id, endpoint.secret)
        assert secret.startswith("whsec_") and "whsec_" not in endpoint.secret  # kept sealed
        assert secret in created.text
        assert secret not in (await admin.get(PAGE)).text

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


async def test_an_internal_endpoint_is_refused_naming_the_url_in_the_users_language(
    tmp_path, database, teams, clock
):
    """Issue 13, defect 2: in production (no loopback) the form refuses every internal URL."""
    names = NameMap({"metadata.example.test": ["169.254.169.254"]})
    settings = browser_settings(tmp_path, database, egress_allow_loopback="0")
    app = make_app(settings, clock=clock, webhook_resolver=names)
    a, _ = teams
    wording = {"ja": "公開アドレスを指していません", "en": "does not point to a public internet"}
    async with browser(app, a.host) as client:
        admin = await Sessions(client).as_(a, "admin")
        for language, text in wording.items():
            for url in ("https://metadata.example.test/latest/", "https://10.0.0.5/",
                        "https://[::1]:8443/h", "https://localhost/h"):  # fmt: skip
                names.names["localhost"] = ["127.0.0.1"]
                form = {"url": url, "event_types": ["order.paid"]}
                refused = await post(admin, f"{PAGE}?lang={language}", PAGE, form)
                assert refused.status_code == 400 and 'id="url-error"' in refused.text, url
                assert text in refused.text, (language, url)
            refused = await post(
                admin, PAGE, PAGE, {"url": "http://localhost:8080/", "event_types": ["*"]}
            )
            assert refused.status_code == 400 and 'id="url-error"' in refused.text
    assert await WebhookEndpoint.count().where(WebhookEndpoint.tenant_id == a.tenant.id) == 0
