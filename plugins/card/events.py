"""Record each Stripe event id once per tenant, so a replayed webhook is applied once."""

from __future__ import annotations

from core.context import Context, tenant_scope
from plugins.card.tables import CardWebhookEvent


async def record_event_once(ctx: Context, event_id: str, event_type: str = "") -> bool:
    """True the first time ``event_id`` is seen for the tenant, False for a replay.
    One INSERT … ON CONFLICT DO NOTHING on the (tenant_id, event_id) unique index, so two
    deliveries racing each other still see exactly one True."""
    with tenant_scope(ctx.tenant):
        inserted = (
            await CardWebhookEvent.insert(
                CardWebhookEvent(
                    tenant_id=ctx.tenant.id,
                    event_id=event_id,
                    event_type=event_type[:100],
                    received_at=ctx.clock.now(),
                )
            )
            .on_conflict(
                target=(CardWebhookEvent.tenant_id, CardWebhookEvent.event_id),
                action="DO NOTHING",
            )
            .returning(CardWebhookEvent.id)
            .run()
        )
    return bool(inserted)
