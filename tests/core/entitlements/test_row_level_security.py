"""PostgreSQL row-level security covers the entitlements tables under the application's role:
another tenant's entitlements are invisible even to a query that forgets the tenant filter."""

from datetime import UTC, datetime

import pytest

from core import db
from core.clock import FrozenClock
from core.context import Actor, Context, TenantRef, tenant_scope
from core.entitlements.queries import get_entitlement, list_entitlements
from core.entitlements.tables import Entitlement
from core.errors import NotFound
from tests.core.test_rls import rls_database  # noqa: F401  (the fixture)

NOW = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)


def ctx_of(tenant_id: int) -> Context:
    return Context(TenantRef(tenant_id, f"t{tenant_id}"), Actor.system("rls"), FrozenClock(NOW))


async def add(ctx: Context, code: str) -> int:
    row = Entitlement(
        tenant_id=ctx.tenant.id,
        customer_id=7,
        provider_code="test_upstream",
        product_code="voucher",
        state="active",
        data={"code": code},
        created_at=NOW,
        updated_at=NOW,
    )
    with tenant_scope(ctx.tenant):
        return (await Entitlement.insert(row).returning(Entitlement.id).run())[0]["id"]


async def test_entitlements_are_protected_by_row_level_security(rls_database):  # noqa: F811
    settings, protected, _, _ = rls_database
    assert {"entitlements_entitlement", "entitlements_fulfilment"} <= set(protected)
    db.setup_database(settings, list(db.bound_registry().apps))
    first, second = ctx_of(1), ctx_of(2)
    mine = await add(first, "A")
    await add(second, "B")
    with tenant_scope(second.tenant):  # no tenant filter in the query: the policy filters
        assert [
            r["data"] for r in await Entitlement.select(Entitlement.data).output(load_json=True)
        ] == [{"code": "B"}]
    with pytest.raises(NotFound):
        await get_entitlement(second, mine)
    assert [e.data["code"] for e in await list_entitlements(second)] == ["B"]
    assert (await get_entitlement(first, mine)).data == {"code": "A"}
