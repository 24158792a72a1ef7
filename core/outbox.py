"""The outbox: how a state change reaches e-mail, webhooks and workers without being lost.

``record`` must run inside the transaction of the change it reports (Piccolo joins the
caller's ``engine.transaction()`` automatically); recording the same idempotency key twice
changes nothing, so a retried service call never announces its change twice.
"""

from __future__ import annotations

from typing import Any

from core.context import Context
from core.tables import OutboxEvent


async def record(
    ctx: Context,
    aggregate_type: str,
    aggregate_id: str | int,
    event_type: str,
    payload: dict[str, Any],
    idempotency_key: str | None = None,
) -> bool:
    """Write one event; False when an event with this key was already written (the unique
    index decides, so two concurrent writers of one key never both succeed nor fail)."""
    key = idempotency_key or f"{ctx.tenant.id}:{aggregate_type}:{aggregate_id}:{event_type}"
    written = await (
        OutboxEvent.insert(
            OutboxEvent(
                tenant_id=ctx.tenant.id,
                aggregate_type=aggregate_type,
                aggregate_id=str(aggregate_id),
                event_type=event_type,
                payload=payload,
                idempotency_key=key,
                created_at=ctx.clock.now(),
            )
        )
        .on_conflict(target=OutboxEvent.idempotency_key, action="DO NOTHING")
        .returning(OutboxEvent.id)
        .run()
    )
    return bool(written)


async def pending(tenant_id: int, limit: int = 100) -> list[dict[str, Any]]:
    """Undelivered events of one tenant, oldest first (the relay's view)."""
    return await (
        OutboxEvent.select()
        .where((OutboxEvent.tenant_id == tenant_id) & OutboxEvent.delivered_at.is_null())
        .order_by(OutboxEvent.id)
        .limit(limit)
        .output(load_json=True)
        .run()
    )
