"""Delivering outbox events to their handlers: at least once, in order per aggregate.

The relay is a pure service (the Celery tasks in ``workers/tasks/outbox.py`` only call it).
Events of one tenant are read in id order; each is passed to every handler registered for its
type, then marked delivered. A handler that fails leaves its event undelivered with the error
and its attempt count, and holds back the later events of the same aggregate (an order's
"paid" is never announced before its "created"), while other aggregates go on.
Handlers must be idempotent: a crash between a handler's effect and the delivery mark means
the event is handed to the handler again.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.clock import Clock
from core.context import Actor, Context, TenantRef, system_scope, tenant_scope
from core.tables import OutboxEvent

log = logging.getLogger("shomei.outbox")

MAX_ATTEMPTS = 20
"""After this many failures an event is left for an operator (the dead-letter view)."""


@dataclass(frozen=True)
class Event:
    id: int
    tenant_id: int
    aggregate_type: str
    aggregate_id: str
    event_type: str
    payload: dict[str, Any]
    idempotency_key: str
    created_at: datetime
    attempts: int = 0


Handler = Callable[[Context, Event], Awaitable[None]]


@dataclass
class DeliveryReport:
    delivered: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    held_back: list[int] = field(default_factory=list)


def merge_handlers(batches: Sequence[Mapping[str, Sequence[Handler]]]) -> dict[str, list[Handler]]:
    merged: dict[str, list[Handler]] = {}
    for batch in batches:
        for event_type, handlers in batch.items():
            merged.setdefault(event_type, []).extend(handlers)
    return merged


async def tenants_with_pending(limit: int = 1000) -> list[int]:
    """Tenant ids that have undelivered, not-dead events: the sweep's fan-out list."""
    with system_scope("outbox relay sweep"):
        rows = await (
            OutboxEvent.select(OutboxEvent.tenant_id)
            .where(OutboxEvent.delivered_at.is_null() & (OutboxEvent.attempts < MAX_ATTEMPTS))
            .distinct()
            .order_by(OutboxEvent.tenant_id)
            .limit(limit)
            .run()
        )
    return [row["tenant_id"] for row in rows]


async def deliver_pending(
    tenant: TenantRef,
    handlers: Mapping[str, Sequence[Handler]],
    clock: Clock,
    batch: int = 100,
) -> DeliveryReport:
    """Hand one tenant's undelivered events to their handlers, oldest first."""
    report = DeliveryReport()
    blocked: set[tuple[str, str]] = set()
    with tenant_scope(tenant):
        rows = await (
            OutboxEvent.select()
            .where(
                (OutboxEvent.tenant_id == tenant.id)
                & OutboxEvent.delivered_at.is_null()
                & (OutboxEvent.attempts < MAX_ATTEMPTS)
            )
            .order_by(OutboxEvent.id)
            .limit(batch)
            .output(load_json=True)
            .run()
        )
        for row in rows:
            event = Event(**{name: row[name] for name in Event.__dataclass_fields__})
            aggregate = (event.aggregate_type, event.aggregate_id)
            if aggregate in blocked:
                report.held_back.append(event.id)
                continue
            ctx = Context(
                tenant=tenant,
                actor=Actor.system("outbox"),
                clock=clock,
                idempotency_key=event.idempotency_key,
            )
            try:
                for handler in handlers.get(event.event_type, ()):
                    await handler(ctx, event)
            except Exception as exc:  # any handler failure is recorded, never lost
                blocked.add(aggregate)
                report.failed.append(event.id)
                log.warning(
                    "outbox handler failed",
                    exc_info=exc,
                    extra={"event_id": event.id, "event_type": event.event_type},
                )
                await (
                    OutboxEvent.update(
                        {
                            OutboxEvent.attempts: OutboxEvent.attempts + 1,
                            OutboxEvent.last_error: f"{type(exc).__name__}: {exc}"[:2000],
                        }
                    )
                    .where(OutboxEvent.id == event.id)
                    .run()
                )
                continue
            await (
                OutboxEvent.update({OutboxEvent.delivered_at: clock.now()})
                .where((OutboxEvent.id == event.id) & OutboxEvent.delivered_at.is_null())
                .run()
            )
            report.delivered.append(event.id)
    return report
