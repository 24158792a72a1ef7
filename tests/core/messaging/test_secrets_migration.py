"""Issue 13, defect 3, after an upgrade: the rows written before sealing existed.

Mail events that carry their one-time-token link in clear (``reset_url``) and webhook attempts
that kept the receiver's reply (``HTTP 500: <internal page>``) are written as the old code
wrote them; the messaging migration of 2026-12-08 then seals the undelivered event's link (the
mail is sent and its link resets the password), strips the delivered event's link and cuts the
errors to the status, so no clear token or reply is left in any row."""

from __future__ import annotations

import importlib
import re
from datetime import timedelta

import pytest

from core.clock import FrozenClock
from core.context import system_scope, tenant_scope
from core.messaging import mail_secrets
from core.messaging.mail_events import mail_handlers
from core.messaging.mailer import Mailer
from core.messaging.tables import WebhookAttempt, WebhookDelivery
from core.outbox_relay import deliver_pending
from core.plugins import build_plugin_manager
from core.settings import get_settings
from core.tables import OutboxEvent
from tests.conftest import TEST_SECRET
from tests.core.messaging.helpers import opened_links
from tests.test_secrets_at_rest import NEW_PASSWORD, _database_text, _plain
from tests.web.browser import (
    START,
    browser,
    browser_settings,
    csrf_of,
    make_app,
    make_shop,
    post_form,
)

MIGRATION = "core.messaging.piccolo_migrations.messaging_2026_12_08t12_00_00_000000"
TOKEN = re.compile(r"token=([A-Za-z0-9_.-]{20,})")
INTERNAL = "<html>internal admin page: db=10.0.0.5 password=hunter2</html>"


@pytest.fixture
def migration_settings(monkeypatch, tmp_path):
    """What ``shomei migrate`` reads: the deployment's secret key from the environment."""
    monkeypatch.setenv("SHOMEI_SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("SHOMEI_VAR_DIR", str(tmp_path / "migrate-var"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def _unseal_as_before(event_id: int, tenant_id: int) -> str:
    """Rewrite a reset event as the code before sealing wrote it: the link in clear."""
    [row] = (
        await OutboxEvent.select(OutboxEvent.payload)
        .where(OutboxEvent.id == event_id)
        .output(load_json=True)
    )
    payload = dict(row["payload"])
    links = opened_links(payload, tenant_id)
    del payload[mail_secrets.SEALED]
    await OutboxEvent.update({OutboxEvent.payload: {**payload, **links}}).where(
        OutboxEvent.id == event_id
    )
    return links["reset_url"]


async def _reset_events(tenant_id: int) -> list[int]:
    rows = await (
        OutboxEvent.select(OutboxEvent.id)
        .where(
            (OutboxEvent.tenant_id == tenant_id)
            & (OutboxEvent.event_type == "auth.password_reset_requested")
        )
        .order_by(OutboxEvent.id)
    )
    return [row["id"] for row in rows]


async def test_old_rows_are_sealed_or_stripped_and_the_pending_mail_still_works(
    tmp_path, database, migration_settings
):
    clock = FrozenClock(START)
    settings = browser_settings(tmp_path, database)
    app = make_app(settings, clock=clock)
    shop = await make_shop(clock)
    mailer = Mailer.from_settings(settings, build_plugin_manager(load_entrypoints=False))
    handlers = mail_handlers(lambda: mailer)

    async with browser(app, shop.host) as client:
        for _ in range(2):  # two reset requests: two events, two tokens
            asked = await post_form(
                client, "/portal/password/reset", "/portal/password/reset",
                {"email": shop.customer_email},
            )  # fmt: skip
            assert asked.status_code == 200
            clock.advance(timedelta(minutes=1))
        with tenant_scope(shop.tenant):
            delivered_id, pending_id = await _reset_events(shop.tenant.id)
            old_link = await _unseal_as_before(delivered_id, shop.tenant.id)
            link = await _unseal_as_before(pending_id, shop.tenant.id)
            await OutboxEvent.update({OutboxEvent.delivered_at: clock.now()}).where(
                OutboxEvent.id == delivered_id
            )  # mailed before the upgrade
            refused = await deliver_pending(shop.tenant, handlers, clock)
            assert refused.failed == [pending_id]  # the new mail step refuses the clear link
            [event] = await OutboxEvent.select(OutboxEvent.last_error).where(
                OutboxEvent.id == pending_id
            )
            assert event["last_error"].startswith("SecretInClear")
            await OutboxEvent.update({OutboxEvent.attempts: 20}).where(
                OutboxEvent.id == pending_id
            )  # and after enough tries leaves it to an operator
            delivery = WebhookDelivery(
                tenant_id=shop.tenant.id, endpoint_id=1, event_id=1, event_type="order.paid",
                idempotency_key="old-delivery", body="{}", status="failed",
                window_started_at=clock.now(), created_at=clock.now(), last_status_code=500,
                last_error=f"HTTP 500: {INTERNAL}",
            )  # fmt: skip
            await delivery.save()
            await WebhookAttempt.insert(
                WebhookAttempt(
                    tenant_id=shop.tenant.id,
                    delivery_id=delivery.id,
                    number=0,
                    started_at=clock.now(),
                    status_code=500,
                    error=f"HTTP 500: {INTERNAL}",
                ),
                WebhookAttempt(
                    tenant_id=shop.tenant.id,
                    delivery_id=delivery.id,
                    number=1,
                    started_at=clock.now(),
                    status_code=None,
                    error="ConnectTimeout",
                ),
            )
        old_token, token = TOKEN.search(old_link).group(1), TOKEN.search(link).group(1)
        assert old_token in await _database_text() and INTERNAL in await _database_text()

        manager = await importlib.import_module(MIGRATION).forwards()
        for step in manager.raw:
            await step()

        with tenant_scope(shop.tenant):
            report = await deliver_pending(shop.tenant, handlers, clock)
            assert report.delivered == [pending_id] and report.failed == []
            rows = (
                await WebhookAttempt.select(WebhookAttempt.error)
                .where(WebhookAttempt.delivery_id == delivery.id)
                .order_by(WebhookAttempt.number)
            )
            [cut] = await WebhookDelivery.select(WebhookDelivery.last_error).where(
                WebhookDelivery.id == delivery.id
            )
        assert [row["error"] for row in rows] == ["HTTP 500", "ConnectTimeout"]
        assert cut["last_error"] == "HTTP 500"

        [mail] = [_plain(p) for p in settings.mail_folder.glob("*.eml")]
        assert TOKEN.search(mail).group(1) == token  # the pending mail went out with its link
        page = await client.get(f"/portal/password/reset/confirm?token={token}")
        done = await client.post(
            "/portal/password/reset/confirm",
            data={"token": token, "new_password": NEW_PASSWORD,
                  "new_password_confirm": NEW_PASSWORD, "csrf_token": csrf_of(page.text)},
        )  # fmt: skip
        assert done.status_code in (302, 303), done.text  # and the link works

    stored = await _database_text()
    assert old_token not in stored and token not in stored and INTERNAL not in stored
    with system_scope("test"):
        again = await mail_secrets.seal_stored_events(lambda: pytest.fail("nothing to seal"))
    assert again == mail_secrets.StoredEvents(0, 0)
