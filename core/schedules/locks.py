"""The run lock of a beat job: two beat processes never run one job's slot twice.

Every beat process sends the job's sweep task; the first sweep of a slot (the JST day of a daily
job) to take the lock runs it, later ones return at once. Two layers:

- ``RedisRunLock``: ``SET shomei:schedule:<job>:<slot> <runner> NX EX <lease>`` when a Redis
  is configured (production), so a second beat's sweep, sent the same minute, is refused
  without touching the database;
- the run row: ``schedules_run`` has a unique index on (job, slot), and inserting it with
  ``ON CONFLICT DO NOTHING`` is the lock itself in embedded mode (``DatabaseRunLock``), and the
  last word in production if Redis lost the key (a restart without persistence).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Protocol

from core.clock import Clock
from core.schedules.tables import ScheduleRun

LEASE = timedelta(minutes=15)
"""How long a started run keeps others out: the Redis key's lifetime, and the age after which an
unfinished run row is taken over."""


class RunLock(Protocol):
    async def acquire(self, key: str, holder: str, ttl_seconds: int) -> bool: ...


class DatabaseRunLock:
    """Embedded mode: no lock server; the unique run row decides (see ``claim_run``)."""

    async def acquire(self, key: str, holder: str, ttl_seconds: int) -> bool:
        return True


class RedisRunLock:
    """``SET key holder NX EX ttl``; the key expires by itself, so a crashed holder frees it."""

    def __init__(self, url: str, prefix: str = "shomei:schedule:") -> None:
        self.url = url
        self.prefix = prefix

    async def acquire(self, key: str, holder: str, ttl_seconds: int) -> bool:
        import redis.asyncio as redis

        client = redis.Redis.from_url(self.url)
        try:
            return bool(await client.set(self.prefix + key, holder, nx=True, ex=ttl_seconds))
        finally:
            await client.aclose()


def run_lock(redis_url: str) -> RunLock:
    """Redis when the deployment has one, else the database row alone."""
    return RedisRunLock(redis_url) if redis_url else DatabaseRunLock()


async def claim_run(
    lock: RunLock,
    job: str,
    slot: str,
    runner: str,
    clock: Clock,
    lease: timedelta = LEASE,
) -> int | None:
    """The run id when this caller may run ``job`` for ``slot``; None when another did or does.

    A run that started more than ``lease`` ago and never finished (its sweep crashed before
    sending every tenant's task) is taken over, so a redelivered sweep completes the fan-out;
    the tenant batches are idempotent, so sending some of them twice is harmless."""
    if not await lock.acquire(f"{job}:{slot}", runner, int(lease.total_seconds())):
        return None
    now = clock.now()
    rows = await (
        ScheduleRun.insert(ScheduleRun(job=job, slot=slot, runner=runner, started_at=now))
        .on_conflict(target=(ScheduleRun.job, ScheduleRun.slot), action="DO NOTHING")
        .returning(ScheduleRun.id)
        .run()
    )
    if rows:
        return int(rows[0]["id"])
    taken = await (
        ScheduleRun.update({ScheduleRun.runner: runner, ScheduleRun.started_at: now})
        .where(
            (ScheduleRun.job == job)
            & (ScheduleRun.slot == slot)
            & ScheduleRun.finished_at.is_null()
            & (ScheduleRun.started_at < now - lease)
        )
        .returning(ScheduleRun.id)
        .run()
    )
    return int(taken[0]["id"]) if taken else None


async def finish_run(run_id: int, tenants: int, clock: Clock) -> None:
    await (
        ScheduleRun.update({ScheduleRun.finished_at: clock.now(), ScheduleRun.tenants: tenants})
        .where(ScheduleRun.id == run_id)
        .run()
    )


async def runs(job: str) -> list[dict[str, object]]:
    """The recorded runs of ``job``, oldest first (operators and tests)."""
    return await ScheduleRun.select().where(ScheduleRun.job == job).order_by(ScheduleRun.id).run()
