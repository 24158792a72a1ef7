"""The run lock: one run per job and day; an abandoned run is taken over after its lease."""

from datetime import UTC, datetime, timedelta

import redis

from core.clock import FrozenClock
from core.schedules.locks import DatabaseRunLock, RedisRunLock, claim_run, finish_run, runs
from tests.conftest import REDIS_URL


async def test_one_run_per_day_and_an_abandoned_run_is_taken_over(database):
    clock = FrozenClock(datetime(2027, 3, 1, 0, 0, tzinfo=UTC))
    lock = DatabaseRunLock()
    first = await claim_run(lock, "lock_test", "2027-03-01", "beat-a", clock)
    assert first is not None
    assert await claim_run(lock, "lock_test", "2027-03-01", "beat-b", clock) is None
    clock.advance(timedelta(minutes=16))  # beat-a's sweep died before finishing
    taken = await claim_run(lock, "lock_test", "2027-03-01", "beat-b", clock)
    assert taken == first
    await finish_run(taken, 3, clock)
    clock.advance(timedelta(hours=2))
    assert await claim_run(lock, "lock_test", "2027-03-01", "beat-c", clock) is None
    assert await claim_run(lock, "lock_test", "2027-03-02", "beat-c", clock) is not None
    found = [(r["slot"], r["runner"], r["tenants"]) for r in await runs("lock_test")]
    assert found[:1] == [("2027-03-01", "beat-b", 3)] and len(found) == 2


async def test_the_redis_lock_refuses_a_second_holder_until_it_expires():
    key = f"lock-test-{datetime.now(UTC).timestamp()}"
    lock = RedisRunLock(REDIS_URL)
    assert await lock.acquire(key, "beat-a", 60)
    assert not await lock.acquire(key, "beat-b", 60)
    client = redis.Redis.from_url(REDIS_URL)
    assert (
        client.get(f"shomei:schedule:{key}") == b"beat-a"
        and 0 < client.ttl(f"shomei:schedule:{key}") <= 60
    )
    client.delete(f"shomei:schedule:{key}")
