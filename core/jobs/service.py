"""Creating and reading background jobs, always within the context's tenant.

``create_job`` writes the job (``queued``) and the outbox event ``job.queued`` in one
transaction; the event's handler (``workers/tasks/jobs.py``) sends the task that runs it, so a
request never talks to the broker and a job is never lost between the two. With a
``dedupe_key``, a job of the same kind and key that is still queued or running is returned
instead of a second one (a double click shows the same progress). The key is stored as a digest
while the job is active and cleared when it ends; a unique index makes two requests at the same
moment find one job.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core import outbox
from core.billing.invoices import actor_ref
from core.context import Actor, ActorKind, Context
from core.db import write_transaction
from core.errors import NotFound
from core.jobs.tables import Job

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
ACTIVE = (QUEUED, RUNNING)
QUEUED_EVENT = "job.queued"
ACTOR_KEY = "_actor"

VIEW_COLUMNS = tuple(c for c in Job._meta.columns if c._meta.name not in ("result", "payload"))


@dataclass(frozen=True)
class JobView:
    """A job as pages and runners see it (without its input and result bytes)."""

    id: int
    kind: str
    status: str
    permission: str
    params: dict[str, Any]
    done: int
    total: int
    summary: dict[str, Any]
    error_id: str
    error_params: dict[str, Any]
    filename: str
    content_type: str
    created_by: str
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def finished(self) -> bool:
        return self.status in (DONE, FAILED)

    @property
    def has_file(self) -> bool:
        return self.status == DONE and bool(self.filename)

    @property
    def percent(self) -> int:
        if self.status == DONE:
            return 100
        return min(100, self.done * 100 // self.total) if self.total else 0


@dataclass(frozen=True)
class JobFile:
    filename: str
    content_type: str
    content: bytes


def _view(row: dict[str, Any]) -> JobView:
    return JobView(
        id=row["id"],
        kind=row["kind"],
        status=row["status"],
        permission=row["permission"],
        params=row["params"] or {},
        done=row["done"],
        total=row["total"],
        summary=row["summary"] or {},
        error_id=row["error_id"],
        error_params=row["error_params"] or {},
        filename=row["filename"],
        content_type=row["content_type"],
        created_by=row["created_by"],
        attempts=row["attempts"],
        created_at=row["created_at"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
    )


def _actor_json(actor: Actor) -> dict[str, Any]:
    return {
        "kind": actor.kind.value,
        "id": actor.id,
        "display_name": actor.display_name,
        "on_behalf_of": actor.on_behalf_of,
    }


def job_actor(job: JobView) -> Actor | None:
    """Who created the job: the runner acts as them (an import is theirs in the records)."""
    found = job.params.get(ACTOR_KEY)
    if not found:
        return None
    return Actor(
        ActorKind(found["kind"]), found["id"], found["display_name"], found["on_behalf_of"]
    )


def where_job(ctx: Context, job_id: int) -> Any:
    """The job ``job_id`` of the context's tenant (another tenant's id matches nothing)."""
    return (Job.tenant_id == ctx.tenant.id) & (Job.id == job_id)


async def create_job(
    ctx: Context,
    kind: str,
    *,
    permission: str = "",
    params: dict[str, Any] | None = None,
    payload: bytes | None = None,
    total: int = 0,
    dedupe_key: str = "",
) -> JobView:
    """A queued job of ``kind`` for the context's tenant, created by ``ctx.actor``; its task is
    sent by the outbox relay. ``params`` must be JSON; ``payload`` holds an uploaded file."""
    now = ctx.clock.now()
    key = hashlib.sha256(dedupe_key.encode()).hexdigest() if dedupe_key else None
    row = Job(
        tenant_id=ctx.tenant.id,
        kind=kind,
        status=QUEUED,
        permission=permission,
        params={**(params or {}), ACTOR_KEY: _actor_json(ctx.actor)},
        payload=payload,
        total=total,
        summary={},
        error_params={},
        created_by=actor_ref(ctx.actor),
        dedupe_key=key,
        created_at=now,
        updated_at=now,
    )
    for _ in range(2):  # the second time only if the active job ended between two statements
        async with write_transaction():
            inserted = await (
                Job.insert(row)
                .on_conflict(target=(Job.tenant_id, Job.kind, Job.dedupe_key), action="DO NOTHING")
                .returning(Job.id)
                .run()
            )
            if inserted:
                job_id = inserted[0]["id"]
                await outbox.record(
                    ctx, "job", job_id, QUEUED_EVENT, {"job_id": job_id, "kind": kind}
                )
                return await get_job(ctx, job_id)
            active = await (  # the same work is queued or running: show that job
                Job.select(Job.id)
                .where(
                    (Job.tenant_id == ctx.tenant.id) & (Job.kind == kind) & (Job.dedupe_key == key)
                )
                .first()
                .run()
            )
        if active is not None:
            return await get_job(ctx, active["id"])
    raise RuntimeError(f"job {kind} could neither be created nor found")


async def get_job(ctx: Context, job_id: int) -> JobView:
    row = (
        await Job.select(*VIEW_COLUMNS)
        .where(where_job(ctx, job_id))
        .first()
        .output(load_json=True)
        .run()
    )
    if row is None:
        raise NotFound("jobs.job.not_found", job_id)
    return _view(row)


async def job_payload(ctx: Context, job_id: int) -> bytes:
    row = await Job.select(Job.payload).where(where_job(ctx, job_id)).first().run()
    if row is None:
        raise NotFound("jobs.job.not_found", job_id)
    return bytes(row["payload"] or b"")


async def job_file(ctx: Context, job_id: int) -> JobFile:
    """The result file of a finished job (NotFound while it has none)."""
    row = await (
        Job.select(Job.filename, Job.content_type, Job.result)
        .where(where_job(ctx, job_id) & (Job.status == DONE) & (Job.filename != ""))
        .first()
        .run()
    )
    if row is None or row["result"] is None:
        raise NotFound("jobs.job.not_found", job_id)
    return JobFile(row["filename"], row["content_type"], bytes(row["result"]))
