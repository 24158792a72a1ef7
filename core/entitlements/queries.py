"""Listing and reading entitlements, always within the context's tenant: another tenant's id
answers ``NotFound``, exactly like an id that does not exist."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from core.context import Context, context_scope
from core.contracts.providers import EntitlementState
from core.entitlements.tables import Entitlement
from core.entitlements.views import EntitlementRecord, load_record

MAX_LIMIT = 500


async def get_entitlement(ctx: Context, entitlement_id: int) -> EntitlementRecord:
    with context_scope(ctx):
        return await load_record(ctx, entitlement_id)


def _start_of(ctx: Context, day: date | datetime) -> datetime:
    """A date means its first instant in the tenant's time zone (JST unless it says otherwise)."""
    if isinstance(day, datetime):
        return day
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(ctx.tenant.time_zone))


async def list_entitlements(
    ctx: Context,
    *,
    customer_id: int | None = None,
    order_id: int | None = None,
    state: EntitlementState | None = None,
    expiring_before: date | datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[EntitlementRecord]:
    """The tenant's entitlements, filtered; ``expiring_before`` keeps those whose
    ``expires_at`` is earlier (those without one are left out). Soonest expiry first when
    filtering on it, otherwise oldest first."""
    where = Entitlement.tenant_id == ctx.tenant.id
    if customer_id is not None:
        where = where & (Entitlement.customer_id == customer_id)
    if order_id is not None:
        where = where & (Entitlement.order_id == order_id)
    if state is not None:
        where = where & (Entitlement.state == EntitlementState(state).value)
    order = [Entitlement.id]
    if expiring_before is not None:
        where = where & (Entitlement.expires_at < _start_of(ctx, expiring_before))
        order = [Entitlement.expires_at, Entitlement.id]
    with context_scope(ctx):
        rows = await (
            Entitlement.select()
            .where(where)
            .order_by(*order)
            .limit(min(max(limit, 1), MAX_LIMIT))
            .offset(max(offset, 0))
            .output(load_json=True)
            .run()
        )
    return [EntitlementRecord.from_row(row) for row in rows]


async def list_for_customer(
    ctx: Context, customer_id: int, state: EntitlementState | None = None
) -> list[EntitlementRecord]:
    """What one customer holds (the portal's list), oldest first."""
    return await list_entitlements(ctx, customer_id=customer_id, state=state, limit=MAX_LIMIT)


async def list_for_order(ctx: Context, order_id: int) -> list[EntitlementRecord]:
    return await list_entitlements(ctx, order_id=order_id, limit=MAX_LIMIT)
