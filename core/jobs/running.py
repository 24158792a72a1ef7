"""Running a job: claim it, let its runner report progress, store its one result.

``run_job`` is what the worker's task runs (``workers/tasks/jobs.py``). It is safe to run twice,
at once or after a crash:

- the job is *claimed* (``claimed_by`` = the task id until ``lease_until``) before its runner
  starts; a second task finds it busy, a task redelivered after its worker died carries the same
  claim and starts it again, and once the lease is over anyone may;
- progress (``JobRun.progress``) is an UPDATE of its own, committed at once (no transaction
  around the runner), and only while the claim is still this task's (else ``JobLost``);
- the result is written into the job's own row, only while the job is ``running`` under this
  claim: a finished job is never run again, so a retried task never makes a second file.

The runner acts as the staff member who created the job (``job_actor``), so what it records
(an import's ``imported_by``, audit entries) names them, not the worker.

A runner is an async callable ``(run: JobRun) -> JobOutput`` registered by kind through the
``register_job_runners`` hook. It raises ``JobFailed(message_id, **params)`` for a failure the
staff member should read (shown in their language); any other exception is retried by the task
and, on its last attempt, recorded as ``jobs.error.unexpected``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from core.clock import Clock
from core.context import Context, system_scope
from core.errors import NotFound, ShomeiError
from core.jobs.service import (
    ACTIVE,
    DONE,
    FAILED,
    QUEUED,
    RUNNING,
    JobView,
    get_job,
    job_actor,
    job_payload,
    where_job,
)
from core.jobs.tables import Job

log = logging.getLogger("shomei.jobs")

MAX_ATTEMPTS = 5
"""Starts a job gets. A task that kills its worker (out of memory) comes back with the same
claim, and one past its time limit is sent again by ``stale_jobs``: the next start after these
fails the job instead of trying for ever."""


class JobFailed(ShomeiError):
    """The job cannot be done, for a reason the staff member can read (a message id)."""

    def __init__(self, message_id: str, **params: object) -> None:
        self.message_id = message_id
        self.params = dict(params)
        super().__init__(message_id)


class JobLost(ShomeiError):
    """Another task took the job over (this one's lease ran out): stop without a result."""


@dataclass(frozen=True)
class JobOutput:
    """What a runner made: a file (``content`` with its name and type) and/or a summary."""

    content: bytes | None = None
    filename: str = ""
    content_type: str = ""
    summary: dict[str, Any] = field(default_factory=dict)


@dataclass
class JobRun:
    """One attempt at a job, as its runner sees it."""

    ctx: Context
    job: JobView
    claim: str
    lease_seconds: int
    registry: Any = None
    """The worker's ``core.plugins.Registry`` (adapters found by code), when it has one."""

    async def progress(self, done: int, total: int | None = None) -> None:
        """Commit how far the job got (and, once known, how much there is); renews the lease."""
        now = self.ctx.clock.now()
        values: dict[Any, Any] = {
            Job.done: done,
            Job.lease_until: now + timedelta(seconds=self.lease_seconds),
            Job.updated_at: now,
        }
        if total is not None:
            values[Job.total] = total
        moved = await (
            Job.update(values)
            .where(_mine(self.ctx, self.job.id, self.claim))
            .returning(Job.id)
            .run()
        )
        if not moved:
            raise JobLost(f"job {self.job.id} is no longer claimed by {self.claim}")

    async def payload(self) -> bytes:
        return await job_payload(self.ctx, self.job.id)


Runner = Callable[[JobRun], Awaitable[JobOutput]]


def _mine(ctx: Context, job_id: int, claim: str) -> Any:
    return where_job(ctx, job_id) & (Job.status == RUNNING) & (Job.claimed_by == claim)


async def claim_job(ctx: Context, job_id: int, claim: str, lease_seconds: int) -> JobView | None:
    """Take the job for one lease and start it from the beginning; None when it is finished
    or held by another live claim."""
    now = ctx.clock.now()
    free = Job.lease_until.is_null() | (Job.lease_until <= now) | (Job.claimed_by == claim)
    claimed = await (
        Job.update(
            {
                Job.status: RUNNING,
                Job.claimed_by: claim,
                Job.lease_until: now + timedelta(seconds=lease_seconds),
                Job.attempts: Job.attempts + 1,
                Job.done: 0,
                Job.started_at: now,
                Job.updated_at: now,
            }
        )
        .where(where_job(ctx, job_id) & Job.status.is_in(list(ACTIVE)) & free)
        .returning(Job.id)
        .run()
    )
    return await get_job(ctx, job_id) if claimed else None


async def finish_job(ctx: Context, job_id: int, claim: str, output: JobOutput) -> bool:
    """Store the result, once: False when the job is no longer this claim's to finish."""
    now = ctx.clock.now()
    values: dict[Any, Any] = {
        Job.status: DONE,
        Job.summary: output.summary,
        Job.dedupe_key: None,
        Job.claimed_by: "",
        Job.lease_until: None,
        Job.finished_at: now,
        Job.updated_at: now,
    }
    if output.content is not None:
        values.update(
            {
                Job.result: output.content,
                Job.filename: output.filename,
                Job.content_type: output.content_type,
            }
        )
    done = await Job.update(values).where(_mine(ctx, job_id, claim)).returning(Job.id).run()
    return bool(done)


async def fail_job(
    ctx: Context, job_id: int, claim: str, message_id: str, params: dict[str, Any]
) -> bool:
    now = ctx.clock.now()
    failed = await (
        Job.update(
            {
                Job.status: FAILED,
                Job.dedupe_key: None,
                Job.error_id: message_id,
                Job.error_params: params,
                Job.claimed_by: "",
                Job.lease_until: None,
                Job.finished_at: now,
                Job.updated_at: now,
            }
        )
        .where(_mine(ctx, job_id, claim))
        .returning(Job.id)
        .run()
    )
    return bool(failed)


async def run_job(
    ctx: Context,
    job_id: int,
    runners: Mapping[str, Runner],
    *,
    claim: str,
    lease_seconds: int,
    registry: Any = None,
    last_attempt: bool = True,
) -> str:
    """Run one job; its status afterwards: ``done``, ``failed``, ``busy`` (another live claim
    holds it), ``finished`` (it was done or failed already), ``lost`` or ``not_found``.
    An unexpected exception propagates unless this is the ``last_attempt`` (then the job fails
    with ``jobs.error.unexpected``), so the task can retry under the same claim."""
    try:
        before = await get_job(ctx, job_id)
    except NotFound:
        return "not_found"
    if before.finished:
        return "finished"
    job = await claim_job(ctx, job_id, claim, lease_seconds)
    if job is None:
        return "busy"
    if job.attempts > MAX_ATTEMPTS:  # it died each time (killed, out of memory, timed out)
        await fail_job(ctx, job_id, claim, "jobs.error.gave_up", {"attempts": MAX_ATTEMPTS})
        return FAILED
    runner = runners.get(job.kind)
    if runner is None:
        await fail_job(ctx, job_id, claim, "jobs.error.unknown_kind", {"kind": job.kind})
        return FAILED
    actor = job_actor(job)
    as_creator = replace(ctx, actor=actor) if actor is not None else ctx
    try:
        output = await runner(JobRun(as_creator, job, claim, lease_seconds, registry))
    except JobLost:
        return "lost"
    except JobFailed as exc:
        await fail_job(ctx, job_id, claim, exc.message_id, exc.params)
        return FAILED
    except Exception as exc:
        log.exception("job %s (%s) failed", job_id, job.kind)
        if not last_attempt:
            raise
        await fail_job(ctx, job_id, claim, "jobs.error.unexpected", {"error": type(exc).__name__})
        return FAILED
    return DONE if await finish_job(ctx, job_id, claim, output) else "lost"


async def stale_jobs(clock: Clock, quiet_for: int = 300) -> list[tuple[int, int]]:
    """(tenant id, job id) of jobs whose task seems lost, for the worker's sweep to send again:
    queued, or running past their lease, and untouched for ``quiet_for`` seconds. Each one
    found is touched, so it is sent again at most once per ``quiet_for``. Spans tenants on
    purpose."""
    now = clock.now()
    quiet = Job.updated_at <= now - timedelta(seconds=quiet_for)
    lost = (Job.status == QUEUED) | ((Job.status == RUNNING) & (Job.lease_until <= now))
    with system_scope("jobs: send again the jobs whose task was lost"):
        rows = await (
            Job.update({Job.updated_at: now}).where(lost & quiet).returning(Job.tenant_id, Job.id)
        )
    return sorted((row["tenant_id"], row["id"]) for row in rows)
