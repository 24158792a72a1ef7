"""The operator's dead-letter page: failed tasks and given-up outbox events, in ja and en, and
retry (the event goes back to the relay; the task is sent again to the broker)."""

from __future__ import annotations

import secrets

import pytest
import redis

from core.clock import FrozenClock
from core.outbox_relay import MAX_ATTEMPTS
from core.schedules import dead_letters
from core.tables import OutboxEvent
from tests.web.browser import (
    BASE,
    START,
    browser,
    browser_settings,
    csrf_of,
    make_app,
    make_operator,
    sign_in,
)
from tests.workers.schedule_processes import OwnRedis


@pytest.fixture
def own_redis(tmp_path):
    server = OwnRedis(tmp_path / "redis").start()
    yield server
    server.stop()


async def _dead_event(clock: FrozenClock) -> int:
    rows = await OutboxEvent.insert(
        OutboxEvent(
            tenant_id=990_001,
            aggregate_type="invoice",
            aggregate_id="7",
            event_type="invoice.overdue",
            payload={},
            idempotency_key=f"dead:{secrets.token_hex(6)}",
            created_at=clock.now(),
            attempts=MAX_ATTEMPTS,
            last_error="SMTPRecipientsRefused: taro@example.jp",
        )
    ).returning(OutboxEvent.id)
    return int(rows[0]["id"])


async def test_dead_letters_are_listed_and_retried(tmp_path, database, own_redis):
    clock = FrozenClock(START)
    event_id = await _dead_event(clock)
    assert await dead_letters.collect_outbox(clock) >= 1
    assert await dead_letters.collect_outbox(clock) == 0  # listed once
    task_id = f"task-{secrets.token_hex(4)}"
    await dead_letters.record_task(
        task_id, "shomei.default.schedule_sweep", ["quote_expiry"], None,
        "OperationalError: database is locked", 6, clock,
    )  # fmt: skip
    letters = {letter.ref: letter for letter in await dead_letters.list_dead_letters()}
    outbox_letter, task_letter = letters[str(event_id)], letters[task_id]
    app = make_app(browser_settings(tmp_path, database, broker_url=own_redis.url), clock=clock)
    email = await make_operator(clock)
    async with browser(app, BASE) as client:
        assert (await sign_in(client, "operator", email)).status_code == 303
        page = await client.get("/operator/dead-letters?lang=ja")
        assert page.status_code == 200
        assert "デッドレター" in page.text and "SMTPRecipientsRefused" in page.text
        assert "送信待ちイベント" in page.text and "database is locked" in page.text
        english = await client.get("/operator/dead-letters?lang=en")
        assert "Outbox event" in english.text and "Retry" in english.text
        token = csrf_of(page.text)
        done = await client.post(
            f"/operator/dead-letters/{outbox_letter.id}/retry", data={"csrf_token": token}
        )
        assert done.status_code == 303
        row = await OutboxEvent.select(OutboxEvent.attempts).where(OutboxEvent.id == event_id)
        assert row[0]["attempts"] == 0  # the relay's next pass delivers it again
        sent = await client.post(
            f"/operator/dead-letters/{task_letter.id}/retry", data={"csrf_token": token}
        )
        assert sent.status_code == 303
        queued = redis.Redis.from_url(own_redis.url).lrange("default", 0, -1)
        assert len(queued) == 1 and b"shomei.default.schedule_sweep" in queued[0]
        missing = await client.post(
            "/operator/dead-letters/999999999/retry", data={"csrf_token": token}
        )
        assert missing.status_code == 404
    again = await dead_letters.get_dead_letter(outbox_letter.id)
    assert again.retries == 1 and again.retried_at == START


async def test_the_page_needs_a_signed_in_operator(tmp_path, database):
    app = make_app(browser_settings(tmp_path, database), clock=FrozenClock(START))
    async with browser(app, BASE) as client:
        page = await client.get("/operator/dead-letters")
        assert page.status_code in (302, 303) and "/operator/login" in page.headers["location"]
