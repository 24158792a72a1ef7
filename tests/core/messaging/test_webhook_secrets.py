"""Issue 13, defect 3: webhook signing secrets are kept sealed, and the migration seals the
ones stored in clear before sealing existed; a sealed secret still signs the deliveries."""

import importlib

import pytest

from core import outbox
from core.clock import FrozenClock
from core.context import tenant_scope
from core.messaging.tables import WebhookEndpoint
from core.messaging.webhook_secrets import open_secret, reseal_stored_secrets, seal_secret
from core.messaging.webhooks import attempt, list_deliveries, webhook_handlers
from core.outbox_relay import deliver_pending
from core.sealing import Keyring, SealedUnreadable
from core.settings import get_settings
from tests.conftest import TEST_SECRET
from tests.core.messaging.helpers import START, Receiver, branded_tenant, context, guard

MIGRATION = "core.messaging.piccolo_migrations.messaging_2026_12_07t12_00_00_000000"
CLEAR = "whsec_" + "s3cr3t-from-before-sealing-" + "x" * 16


async def _stored(endpoint_id: int) -> str:
    row = await WebhookEndpoint.select(WebhookEndpoint.secret).where(
        WebhookEndpoint.id == endpoint_id
    )
    return row[0]["secret"]


@pytest.fixture
def migration_settings(monkeypatch, tmp_path):
    """What ``shomei migrate`` reads: the deployment's secret key from the environment."""
    monkeypatch.setenv("SHOMEI_SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("SHOMEI_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def test_a_sealed_secret_opens_only_for_its_tenant():
    keyring = Keyring(TEST_SECRET)
    stored = seal_secret(keyring, 1, CLEAR)
    assert CLEAR not in stored and open_secret(keyring, 1, stored) == CLEAR
    with pytest.raises(SealedUnreadable):
        open_secret(keyring, 2, stored)  # copied into another tenant's row


async def test_the_migration_seals_clear_secrets_and_they_still_sign(database, migration_settings):
    clock = FrozenClock(START)
    tenant = await branded_tenant(clock)
    ctx = context(tenant, clock)
    with Receiver() as receiver, tenant_scope(tenant):
        row = WebhookEndpoint(
            tenant_id=tenant.id, url=receiver.url, secret=CLEAR, event_types=["order.paid"],
            active=True, created_at=clock.now(),
        )  # fmt: skip
        await row.save()  # as an endpoint made before sealing was stored

        manager = await importlib.import_module(MIGRATION).forwards()
        for step in manager.raw:
            await step()

        stored = await _stored(row.id)
        assert "whsec_" not in stored
        assert open_secret(Keyring(TEST_SECRET), tenant.id, stored) == CLEAR
        assert (await reseal_stored_secrets(Keyring(TEST_SECRET))).sealed == 0  # nothing left

        receiver.secret, receiver.clock = CLEAR, clock
        await outbox.record(ctx, "order", 9, "order.paid", {"order_id": 9})
        await deliver_pending(tenant, webhook_handlers(), clock)
        [delivery] = await list_deliveries(ctx)
        outcome = await attempt(ctx, delivery.id, 0, guard=guard())
        assert outcome is not None and outcome.status == "delivered"
    assert [r["valid"] for r in receiver.requests] == [True]  # signed with the old secret


async def test_a_rotated_key_reseals_under_the_new_one(database):
    clock = FrozenClock(START)
    tenant = await branded_tenant(clock)
    old, new = "old-secret-key-" + "o" * 32, "new-secret-key-" + "n" * 32
    row = WebhookEndpoint(
        tenant_id=tenant.id, url="https://hooks.example.jp/h",
        secret=seal_secret(Keyring(old), tenant.id, CLEAR), event_types=["*"], active=True,
        created_at=clock.now(),
    )  # fmt: skip
    with tenant_scope(tenant):
        await row.save()
    rotated = Keyring(new, previous_secrets=[old])
    assert (await reseal_stored_secrets(rotated)).sealed >= 1
    with tenant_scope(tenant):
        stored = await _stored(row.id)
    assert open_secret(Keyring(new), tenant.id, stored) == CLEAR
