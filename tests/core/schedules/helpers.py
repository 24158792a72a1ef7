"""A real tenant with one customer (billing contact with an e-mail) and entitlements for it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from core.clock import FrozenClock
from core.context import Actor, ActorKind, Context, TenantRef, tenant_scope
from core.entitlements.tables import Entitlement
from core.schedules.sweep import Job, find_tenants, run_tenant
from core.tables import OutboxEvent
from tenants.customers import create_customer, set_contact
from tests.tenants.helpers import active_tenant


def morning(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 0, 30, tzinfo=UTC)  # 09:30 in Japan


async def tenant_with_customer(clock: FrozenClock) -> tuple[Context, int]:
    result, _ = await active_tenant(clock)
    tenant: TenantRef = result.tenant
    ctx = Context(tenant, Actor(ActorKind.STAFF, "1", "Owner"), clock)
    with tenant_scope(tenant):
        customer_id = await create_customer(
            ctx, "JPY株式会社", "104-0061", "東京都", "中央区銀座6-1-10", "03-1111-5153"
        )
        await set_contact(ctx, customer_id, "billing", "鈴木 太郎", "taro@example.jp", "0311115153")
    return ctx, customer_id


async def add_entitlement(ctx: Context, customer_id: int | None, **values: Any) -> int:
    now = ctx.clock.now()
    defaults: dict[str, Any] = {
        "tenant_id": ctx.tenant.id,
        "customer_id": customer_id,
        "provider_code": "hosting",
        "product_code": "SSL-DV-1Y",
        "state": "issued",
        "data": {"common_name": "www.example.jp"},
        "issued_at": now,
        "created_at": now,
        "updated_at": now,
    }
    defaults.update(values)
    rows = await Entitlement.insert(Entitlement(**defaults)).returning(Entitlement.id).run()
    return int(rows[0]["id"])


async def events(tenant_id: int, event_type: str) -> list[dict[str, Any]]:
    return await (
        OutboxEvent.select(OutboxEvent.idempotency_key, OutboxEvent.payload, OutboxEvent.created_at)
        .where((OutboxEvent.tenant_id == tenant_id) & (OutboxEvent.event_type == event_type))
        .order_by(OutboxEvent.id)
        .output(load_json=True)
        .run()
    )


async def run_day(job: Job, tenant: TenantRef, day: date, limit: int = 2) -> int:
    """One day's run of ``job`` for one tenant, as the sweep would do it (other tests' tenants
    in the shared database are left alone)."""
    if tenant.id not in await find_tenants(job, day):
        return 0
    return await run_tenant(job, tenant, day, FrozenClock(morning(day)), limit)
