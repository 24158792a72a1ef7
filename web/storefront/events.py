"""Outbox handlers of the storefront: an order placed through a hosted checkout session tells
the tenant's webhooks about its payment and its certificates, with the session's metadata.

When the relay delivers ``order.paid`` or ``entitlement.issued`` for an order that completed a
checkout session, this writes ``checkout_session.order_paid`` or
``checkout_session.entitlement_issued``: the original payload plus ``checkout_session`` (its
``cs_…`` id) and ``metadata`` (what the panel gave when it opened the session). Those are
webhook event types (``core.messaging.events.WEBHOOK_EVENT_TYPES``), so
``core.messaging.webhooks`` signs and delivers them like every other event. Idempotent: the
new event's key is derived from the delivered one's (the relay delivers at least once).

Kept free of Litestar: workers load it through ``web.builtin``.
"""

from __future__ import annotations

from typing import Any

from core import outbox
from core.context import Context
from core.outbox_relay import Event, Handler
from web.storefront.tables import CheckoutSession

FOLLOW_UPS = {
    "order.paid": "checkout_session.order_paid",
    "entitlement.issued": "checkout_session.entitlement_issued",
}


async def _session_of_order(ctx: Context, order_id: Any) -> dict[str, Any] | None:
    if not isinstance(order_id, int):
        return None
    return await (
        CheckoutSession.select(CheckoutSession.public_id, CheckoutSession.metadata)
        .where(
            (CheckoutSession.tenant_id == ctx.tenant.id) & (CheckoutSession.order_id == order_id)
        )
        .output(load_json=True)
        .first()
        .run()
    )


async def announce_for_session(ctx: Context, event: Event) -> None:
    """Follow ``order.paid`` / ``entitlement.issued`` of a session's order with its webhook."""
    order_id = event.payload.get("order_id")
    session = await _session_of_order(ctx, order_id)
    if session is None:
        return
    await outbox.record(
        ctx,
        "checkout_session",
        session["public_id"],
        FOLLOW_UPS[event.event_type],
        {
            **event.payload,
            "checkout_session": session["public_id"],
            "metadata": session["metadata"],
        },
        idempotency_key=f"{event.idempotency_key}:checkout_session",
    )


def storefront_handlers() -> dict[str, list[Handler]]:
    return {event_type: [announce_for_session] for event_type in FOLLOW_UPS}
