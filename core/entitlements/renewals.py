"""Renewal orders continue an entitlement: the link from the new term to the old one.

A renewal order is placed under ``core.renewal.renewal_order_key(entitlement, term_end)``
(``core.schedules.renewal_charges``). When such an order is fulfilled, its line's provider is
told which term it continues (``LineRequest.options["renews"]``: the old entitlement's id,
``expires_at`` and ``data``), the new entitlement gets ``renewed_from_id`` and the old one's
renewal day, and once the new one is usable (ACTIVE or ISSUED, at fulfilment or after a
poll) the old one becomes ``renewed``. The link holds only for the same customer and product.
"""

from __future__ import annotations

from typing import Any

from core.context import Context
from core.contracts.providers import EntitlementState
from core.entitlements.tables import Entitlement
from core.orders.tables import Order
from core.renewal import renewed_entitlement_id

RENEWABLE_STATES = (EntitlementState.ACTIVE.value, EntitlementState.ISSUED.value)


async def renewed_entitlement(
    ctx: Context, order: dict[str, Any], line: dict[str, Any]
) -> dict[str, Any] | None:
    """What the order line renews (id, expires_at ISO, renewal_day, data), or None."""
    key = order.get("idempotency_key")
    if key is None and "id" in order:
        found = await Order.select(Order.idempotency_key).where(
            (Order.id == order["id"]) & (Order.tenant_id == ctx.tenant.id)
        )
        key = found[0]["idempotency_key"] if found else None
    old_id = renewed_entitlement_id(key)
    if old_id is None:
        return None
    old = await (
        Entitlement.select(
            Entitlement.id, Entitlement.expires_at, Entitlement.renewal_day, Entitlement.data
        )
        .where(
            (Entitlement.id == old_id)
            & (Entitlement.tenant_id == ctx.tenant.id)
            & (Entitlement.customer_id == order["customer_id"])
            & (Entitlement.product_code == line["product_code"])
        )
        .first()
        .output(load_json=True)
        .run()
    )
    if old is None:
        return None
    expires = old["expires_at"]
    return {
        "entitlement_id": old["id"],
        "expires_at": expires.isoformat() if expires is not None else None,
        "renewal_day": old["renewal_day"],
        "data": old["data"] or {},
    }


async def mark_renewed(ctx: Context, old_id: int) -> None:
    """The old term becomes ``renewed`` (once: only from a usable state)."""
    await (
        Entitlement.update(
            {
                Entitlement.state: EntitlementState.RENEWED.value,
                Entitlement.updated_at: ctx.clock.now(),
            }
        )
        .where(
            (Entitlement.id == old_id)
            & (Entitlement.tenant_id == ctx.tenant.id)
            & Entitlement.state.is_in(list(RENEWABLE_STATES))
        )
        .run()
    )
