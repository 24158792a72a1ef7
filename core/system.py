"""Operational services: the worker ping that proves a task crosses the broker to a worker."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from core.clock import Clock
from core.tables import WorkerPing


@dataclass(frozen=True)
class PingView:
    token: str
    queue: str
    requested_at: datetime
    answered_at: datetime | None
    answered_by: str


async def request_worker_ping(queue: str, clock: Clock) -> str:
    """Record a ping; the caller sends the task that answers it."""
    token = secrets.token_hex(16)
    await WorkerPing.insert(WorkerPing(token=token, queue=queue, requested_at=clock.now())).run()
    return token


async def answer_worker_ping(token: str, worker: str, clock: Clock) -> bool:
    """Mark the ping answered once; a redelivered task finds it answered and changes nothing."""
    updated = await (
        WorkerPing.update({WorkerPing.answered_at: clock.now(), WorkerPing.answered_by: worker})
        .where((WorkerPing.token == token) & WorkerPing.answered_at.is_null())
        .returning(WorkerPing.id)
        .run()
    )
    return bool(updated)


async def get_worker_ping(token: str) -> PingView | None:
    row = await WorkerPing.select().where(WorkerPing.token == token).first().run()
    if row is None:
        return None
    return PingView(
        token=row["token"],
        queue=row["queue"],
        requested_at=row["requested_at"],
        answered_at=row["answered_at"],
        answered_by=row["answered_by"],
    )
