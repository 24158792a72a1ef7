"""Piccolo tables of the core app that belong to no tenant."""

from __future__ import annotations

from piccolo.columns import JSON, Integer, Text, Timestamptz, Varchar
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


class OutboxEvent(Table, tablename="outbox_event"):
    """Something someone must hear about, written in the same transaction as the change.

    The relay (workers) delivers undelivered rows in id order, per aggregate, at least once;
    handlers are idempotent on ``idempotency_key``.
    """

    tenant_id = Integer(index=True)
    aggregate_type = Varchar(length=64)
    aggregate_id = Varchar(length=64)
    event_type = Varchar(length=64, index=True)
    payload = JSON()
    idempotency_key = Varchar(length=200, unique=True)
    created_at = Timestamptz()
    delivered_at = Timestamptz(null=True, default=None)
    attempts = Integer(default=0)
    last_error = Text(default="")
