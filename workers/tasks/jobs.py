"""Background jobs as Celery tasks on the ``jobs`` queue, and the hooks that wire them in.

- ``job.queued`` (outbox handler, run by the relay): sends ``shomei.jobs.run_job(job_id)`` with
  the tenant header. A redelivered event sends it again, which is harmless (see below).
- ``shomei.jobs.run_job``: calls ``core.jobs.running.run_job`` with the task id as its claim and
  the runners of the ``register_job_runners`` hook. Idempotent (a finished job is never run
  again; a second task finds the job busy), so ``acks_late`` and ``reject_on_worker_lost``;
  an unexpected error is retried a bounded number of times under the same claim, and the last
  attempt records the job as failed.
- ``shomei.jobs.resend_stale`` (beat, every minute): sends the task again for jobs whose task
  seems lost (queued or past their lease, untouched for five minutes), e.g. after a worker was
  killed on the embedded broker, which does not give a taken message back.

This module is a built-in plugin (``core.plugins.DEFAULT_PLUGINS``).
"""

from __future__ import annotations

import asyncio
from typing import Any

from celery import Celery, current_app, shared_task

from core.context import Actor, Context, require_tenant
from core.entitlements.backoff import retry_delay
from core.hookspecs import hookimpl
from core.jobs.running import Runner, run_job, stale_jobs
from core.jobs.service import QUEUED_EVENT
from core.outbox_relay import Event, Handler
from core.plugins import Registry, collect_mapping
from core.settings import Settings
from workers.runtime import ensure_database, task_clock, tenant_refs
from workers.signals import send_task

RUN_JOB = "shomei.jobs.run_job"
RESEND_STALE = "shomei.jobs.resend_stale"
RESEND_EVERY = 60.0
JOB_TIME_LIMIT = 3600
"""A job may run an hour (a 1000-page voucher PDF takes about three minutes)."""
MAX_RETRIES = 3


def lease_seconds() -> int:
    """A claim outlives the longest a job task may run, with a margin."""
    return JOB_TIME_LIMIT + JOB_TIME_LIMIT // 5


_runners: dict[int, tuple[dict[str, Runner], Registry]] = {}


def job_runners(app: Celery) -> tuple[dict[str, Runner], Registry]:
    """Built once per app: the runners by kind and the Registry of its plugins."""
    if id(app) not in _runners:
        pm = app.conf.shomei_plugins
        _runners[id(app)] = (collect_mapping(pm, "register_job_runners"), Registry(pm))
    return _runners[id(app)]


def send_job(app: Celery, job_id: int, tenant: Any) -> Any:
    return send_task(app, RUN_JOB, args=(job_id,), tenant=tenant)


async def on_job_queued(ctx: Context, event: Event) -> None:
    """Outbox handler: a queued job gets its task. Outside a shomei Celery app (a test
    delivering events in-process) nothing is sent."""
    settings: Settings | None = getattr(current_app.conf, "shomei_settings", None)
    if settings is not None:
        send_job(current_app, int(event.payload["job_id"]), ctx.tenant)


@shared_task(
    name=RUN_JOB,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
    time_limit=JOB_TIME_LIMIT,
    soft_time_limit=JOB_TIME_LIMIT - 60,
)
def run_job_task(self: Any, job_id: int) -> str:
    ensure_database()
    tenant = require_tenant()  # opened from the message header by workers.signals
    ctx = Context(tenant, Actor.system("jobs"), task_clock())
    runners, registry = job_runners(self.app)
    last = self.request.retries >= self.max_retries
    try:
        return asyncio.run(
            run_job(
                ctx,
                job_id,
                runners,
                claim=self.request.id,
                lease_seconds=lease_seconds(),
                registry=registry,
                last_attempt=last,
            )
        )
    except Exception as exc:  # not the last attempt: the same claim tries again
        raise self.retry(exc=exc, countdown=retry_delay(self.request.retries + 1)) from exc


@shared_task(name=RESEND_STALE, bind=True, acks_late=True, max_retries=0)
def resend_stale(self: Any) -> int:
    """Idempotent (it only sends tasks, and a job runs once), so acks_late is safe."""
    ensure_database()

    async def run() -> list[tuple[Any, int]]:
        stale = await stale_jobs(task_clock())
        tenants = await tenant_refs(t for t, _ in stale)
        return [(tenants[t], job_id) for t, job_id in stale if t in tenants]

    found = asyncio.run(run())
    for tenant, job_id in found:
        send_job(self.app, job_id, tenant)
    return len(found)


@hookimpl
def register_event_handlers() -> dict[str, list[Handler]]:
    return {QUEUED_EVENT: [on_job_queued]}


@hookimpl
def register_periodic_tasks() -> dict[str, dict[str, Any]]:
    return {"jobs-resend-stale": {"task": RESEND_STALE, "schedule": RESEND_EVERY}}


@hookimpl
def register_task_modules() -> list[str]:
    return ["workers.tasks.jobs"]
