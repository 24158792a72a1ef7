"""Once-only marks: "step ``step`` of ``job`` was done for ``subject_id``".

``mark`` runs inside the transaction of the effect it guards (the outbox row of a reminder, the
charge record of a renewal): the unique index (tenant_id, job, subject_id, step) lets one of two
concurrent writers through, and a rolled-back effect takes its mark with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from core import outbox
from core.context import Context
from core.db import bound_engine
from core.schedules.tables import ScheduleMark


async def mark(
    ctx: Context, job: str, subject_id: int, step: str, detail: dict[str, Any] | None = None
) -> bool:
    """True when this call wrote the mark (the effect may go ahead), False when it existed."""
    rows = await (
        ScheduleMark.insert(
            ScheduleMark(
                tenant_id=ctx.tenant.id,
                job=job,
                subject_id=subject_id,
                step=step,
                done_at=ctx.clock.now(),
                detail=detail or {},
            )
        )
        .on_conflict(
            target=(
                ScheduleMark.tenant_id,
                ScheduleMark.job,
                ScheduleMark.subject_id,
                ScheduleMark.step,
            ),
            action="DO NOTHING",
        )
        .returning(ScheduleMark.id)
        .run()
    )
    return bool(rows)


async def marks(ctx: Context, job: str, subject_id: int | None = None) -> list[dict[str, Any]]:
    """The marks of ``job`` in the context's tenant (optionally of one subject), oldest first."""
    query = ScheduleMark.select().where(
        (ScheduleMark.tenant_id == ctx.tenant.id) & (ScheduleMark.job == job)
    )
    if subject_id is not None:
        query = query.where(ScheduleMark.subject_id == subject_id)
    return await query.order_by(ScheduleMark.id).output(load_json=True).run()


@dataclass(frozen=True)
class Effect:
    """One once-only outbox event: the mark (subject, step) and the event it guards."""

    subject_id: int
    step: str
    aggregate_type: str
    event_type: str
    payload: dict[str, Any]
    key: str
    detail: dict[str, Any] = field(default_factory=dict)


async def emit_once(ctx: Context, job: str, effects: Sequence[Effect]) -> int:
    """Mark and announce a whole batch in one transaction: the marks are inserted together
    (``ON CONFLICT DO NOTHING RETURNING``), and only the effects whose mark this call wrote
    get their outbox row (``core.outbox.record``). Returns how many were announced."""
    if not effects:
        return 0
    now = ctx.clock.now()
    async with bound_engine().transaction():
        written = await (
            ScheduleMark.insert(
                *(
                    ScheduleMark(
                        tenant_id=ctx.tenant.id,
                        job=job,
                        subject_id=e.subject_id,
                        step=e.step,
                        done_at=now,
                        detail=e.detail,
                    )
                    for e in effects
                )
            )
            .on_conflict(
                target=(
                    ScheduleMark.tenant_id,
                    ScheduleMark.job,
                    ScheduleMark.subject_id,
                    ScheduleMark.step,
                ),
                action="DO NOTHING",
            )
            .returning(ScheduleMark.subject_id, ScheduleMark.step)
            .run()
        )
        fresh = {(row["subject_id"], row["step"]) for row in written}
        events = [e for e in effects if (e.subject_id, e.step) in fresh and e.event_type]
        for e in events:  # one connection (the transaction's), one round trip each
            await outbox.record(
                ctx, e.aggregate_type, e.subject_id, e.event_type, e.payload, idempotency_key=e.key
            )
    return len(events)


async def marks_of(ctx: Context, job: str, subject_id: int) -> list[dict[str, Any]]:
    """The steps done for one subject (without their details)."""
    return await (
        ScheduleMark.select(ScheduleMark.step, ScheduleMark.done_at)
        .where(
            (ScheduleMark.tenant_id == ctx.tenant.id)
            & (ScheduleMark.job == job)
            & (ScheduleMark.subject_id == subject_id)
        )
        .order_by(ScheduleMark.id)
        .run()
    )
