"""Piccolo tables of the core app that belong to no tenant."""

from __future__ import annotations

from piccolo.columns import Timestamptz, Varchar
from piccolo.table import Table


class WorkerPing(Table, tablename="worker_ping"):
    """A round trip through the broker: written by the web process, answered by a worker.

    Operations staff use it to see that a worker consumes a given queue (``POST
    /api/v1/system/worker-pings``); the foundation tests use it to prove two processes talk.
    """

    token = Varchar(length=64, unique=True)
    queue = Varchar(length=32)
    requested_at = Timestamptz()
    answered_at = Timestamptz(null=True, default=None)
    answered_by = Varchar(length=255, default="")
