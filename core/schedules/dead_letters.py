"""Dead letters: work that will not happen by itself any more, for an operator to see and retry.

Two sources, one table (``schedules_dead_letter``, unique per (kind, ref)):

- ``task``: a Celery task that failed after its last retry (recorded by the worker's
  ``task_failure`` handler, ``workers/tasks/schedules.py``); retrying sends the same task name,
  arguments and tenant again;
- ``outbox``: an outbox event the relay gave up on (``core.outbox_relay.MAX_ATTEMPTS``
  failures), copied here by ``collect_outbox``; retrying sets its attempt count back to zero,
  so the relay's next pass delivers it (handlers are idempotent).

The operator view reads across tenants, so every function here runs in a named system scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.clock import Clock
from core.context import system_scope
from core.errors import NotFound
from core.outbox_relay import MAX_ATTEMPTS
from core.schedules.tables import DeadLetter
from core.tables import OutboxEvent

TASK, OUTBOX = "task", "outbox"


@dataclass(frozen=True)
class DeadLetterView:
    id: int
    tenant_id: int | None
    kind: str
    ref: str
    name: str
    args: list[Any]
    error: str
    attempts: int
    created_at: datetime
    retried_at: datetime | None
    retries: int


async def record_task(
    task_id: str,
    name: str,
    args: list[Any],
    tenant_id: int | None,
    error: str,
    attempts: int,
    clock: Clock,
) -> bool:
    with system_scope("dead letters: a task gave up"):
        rows = await (
            DeadLetter.insert(
                DeadLetter(
                    tenant_id=tenant_id,
                    kind=TASK,
                    ref=task_id,
                    name=name,
                    args=list(args),
                    error=error[:4000],
                    attempts=attempts,
                    created_at=clock.now(),
                )
            )
            .on_conflict(target=(DeadLetter.kind, DeadLetter.ref), action="DO NOTHING")
            .returning(DeadLetter.id)
            .run()
        )
    return bool(rows)


async def collect_outbox(clock: Clock, limit: int = 500) -> int:
    """Copy outbox events past the relay's threshold that are not listed yet."""
    with system_scope("dead letters: collect outbox events the relay gave up on"):
        dead = await (
            OutboxEvent.select(
                OutboxEvent.id,
                OutboxEvent.tenant_id,
                OutboxEvent.event_type,
                OutboxEvent.attempts,
                OutboxEvent.last_error,
            )
            .where(OutboxEvent.delivered_at.is_null() & (OutboxEvent.attempts >= MAX_ATTEMPTS))
            .order_by(OutboxEvent.id)
            .limit(limit)
            .run()
        )
        added = 0
        for row in dead:
            written = await (
                DeadLetter.insert(
                    DeadLetter(
                        tenant_id=row["tenant_id"],
                        kind=OUTBOX,
                        ref=str(row["id"]),
                        name=row["event_type"],
                        args=[row["id"]],
                        error=row["last_error"],
                        attempts=row["attempts"],
                        created_at=clock.now(),
                    )
                )
                .on_conflict(target=(DeadLetter.kind, DeadLetter.ref), action="DO NOTHING")
                .returning(DeadLetter.id)
                .run()
            )
            added += bool(written)
    return added


async def list_dead_letters(limit: int = 200) -> list[DeadLetterView]:
    """Newest first, for the operator page."""
    with system_scope("operator: dead letters"):
        rows = await (
            DeadLetter.select()
            .order_by(DeadLetter.id, ascending=False)
            .limit(limit)
            .output(load_json=True)
            .run()
        )
    return [DeadLetterView(**row) for row in rows]


async def get_dead_letter(dead_letter_id: int) -> DeadLetterView:
    with system_scope("operator: dead letters"):
        row = await (
            DeadLetter.select()
            .where(DeadLetter.id == dead_letter_id)
            .output(load_json=True)
            .first()
            .run()
        )
    if row is None:
        raise NotFound("schedules.dead_letter.not_found", dead_letter_id)
    return DeadLetterView(**row)


async def mark_retried(dead_letter_id: int, clock: Clock) -> DeadLetterView:
    """Record a retry; for an outbox event, hand it back to the relay (attempts to zero)."""
    letter = await get_dead_letter(dead_letter_id)
    with system_scope("operator: retry a dead letter"):
        if letter.kind == OUTBOX:
            await (
                OutboxEvent.update({OutboxEvent.attempts: 0})
                .where((OutboxEvent.id == int(letter.ref)) & OutboxEvent.delivered_at.is_null())
                .run()
            )
        await (
            DeadLetter.update(
                {DeadLetter.retried_at: clock.now(), DeadLetter.retries: DeadLetter.retries + 1}
            )
            .where(DeadLetter.id == dead_letter_id)
            .run()
        )
    return await get_dead_letter(dead_letter_id)
