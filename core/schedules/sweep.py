"""Per-tenant, batched sweeps: the pattern every scheduled job follows.

A beat job's sweep asks ``tenants_due(today)`` (one indexed query across tenants, whose cost
grows with what is due, not with what is stored) and sends one task per tenant. A tenant task
runs one ``run_batch`` of at most ``limit`` rows after a cursor (the last id done) and, if the
batch was full, sends itself again with the new cursor at the back of the queue, so a tenant
with 100,000 due rows takes turns with every other tenant instead of holding a worker.

Services here are pure of Celery: ``run_job`` drives a whole job in-process (tests, and the
year-long clock test), the tasks in ``workers/tasks/schedules.py`` drive it through the broker.
``today`` is the JST date of the run (Celery's beat time zone), handed to every batch, so a run
that crosses midnight still works on one day.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from core.clock import Clock
from core.context import Actor, Context, TenantRef, system_scope, tenant_scope
from core.db import bound_engine

DEFAULT_BATCH = 500


@dataclass(frozen=True)
class Batch:
    """What one batch did: rows looked at, effects produced, and where to go on (None: done)."""

    seen: int
    done: int
    next_cursor: int | None


class Job(Protocol):
    name: str
    queue: str

    async def tenants_due(self, today: date) -> list[int]: ...

    async def run_batch(self, ctx: Context, today: date, cursor: int, limit: int) -> Batch: ...


async def run_batch(job: Job, ctx: Context, today: date, cursor: int, limit: int) -> Batch:
    """One batch in one transaction: one connection for its reads and writes, and its marks
    and outbox rows commit together (a crash mid-batch leaves nothing half done)."""
    if not getattr(job, "transactional", True):  # it opens its own, around each write
        return await job.run_batch(ctx, today, cursor, limit)
    async with bound_engine().transaction():
        return await job.run_batch(ctx, today, cursor, limit)


def next_cursor(ids: list[int], limit: int) -> int | None:
    """A full batch may have more after its last id; a short one was the last."""
    return ids[-1] if len(ids) >= limit and ids else None


async def find_tenants(job: Job, today: date) -> list[int]:
    with system_scope(f"schedule {job.name}: tenants with work due"):
        return await job.tenants_due(today)


async def run_tenant(
    job: Job, tenant: TenantRef, today: date, clock: Clock, limit: int = DEFAULT_BATCH
) -> int:
    """Every batch of one tenant in turn (in-process); returns the effects produced."""
    ctx = Context(tenant, Actor.system(f"schedule:{job.name}"), clock)
    cursor: int | None = 0
    done = 0
    with tenant_scope(tenant):
        while cursor is not None:
            batch = await run_batch(job, ctx, today, cursor, limit)
            done += batch.done
            cursor = batch.next_cursor
    return done


async def run_job(
    job: Job,
    today: date,
    clock: Clock,
    tenant_ref: Callable[[int], Awaitable[TenantRef]],
    limit: int = DEFAULT_BATCH,
) -> int:
    """The whole job in-process: each tenant with work due, batch after batch."""
    done = 0
    for tenant_id in await find_tenants(job, today):
        done += await run_tenant(job, await tenant_ref(tenant_id), today, clock, limit)
    return done
