"""Operational tasks that prove the plumbing works."""

from __future__ import annotations

import asyncio
import socket

from celery import shared_task

from core.system import answer_worker_ping
from workers.runtime import ensure_database, task_clock

ANSWER_PING = "shomei.default.answer_worker_ping"


@shared_task(name=ANSWER_PING, acks_late=True, max_retries=3)
def answer_ping(token: str) -> None:
    """Idempotent (answering twice changes nothing), so acks_late is safe."""
    ensure_database()
    asyncio.run(answer_worker_ping(token, worker=socket.gethostname(), clock=task_clock()))
