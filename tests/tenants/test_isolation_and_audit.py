from datetime import timedelta

import pytest

from core.clock import FrozenClock
from core.context import Actor, ActorKind, MissingTenantContext, TenantMismatch, tenant_scope
from core.errors import ValidationFailed
from tenants.audit import audit, list_audit
from tenants.customers import add_customer_user, contacts, create_customer, set_contact
from tenants.scoping import scoped
from tenants.tables import AuditEntry, Customer, StaffUser
from tests.tenants.helpers import START, active_tenant, staff_context, unique

pytestmark = pytest.mark.usefixtures("database")


async def test_scoped_queries_refuse_to_run_without_a_tenant_scope():
    with pytest.raises(MissingTenantContext):
        scoped(StaffUser).select()
    with pytest.raises(MissingTenantContext):
        await list_audit()


async def test_a_context_for_another_tenant_inside_a_scope_is_refused():
    clock = FrozenClock(START)
    first, _ = await active_tenant(clock)
    second, _ = await active_tenant(clock)
    ctx = staff_context(first.tenant, first.owner_id, clock)
    with tenant_scope(second.tenant), pytest.raises(TenantMismatch):
        await create_customer(ctx, "他社", "100-0005", "東京都", "千代田区", "0312345678")


async def test_tenants_see_only_their_own_customers_and_contacts():
    clock = FrozenClock(START)
    first, _ = await active_tenant(clock)
    second, _ = await active_tenant(clock)
    ctx1 = staff_context(first.tenant, first.owner_id, clock)
    ctx2 = staff_context(second.tenant, second.owner_id, clock)
    email = f"{unique('c')}@example.jp"
    with tenant_scope(first.tenant):
        customer = await create_customer(
            ctx1,
            "利用企業株式会社",
            "\uff15\uff13\uff10\uff0d\uff10\uff10\uff10\uff11",  # full-width 530-0001
            "大阪府",
            "大阪市北区",
            "06-1234-5678",
        )
        for role in ("registrant", "technical", "billing", "contract_officer"):
            await set_contact(ctx1, customer, role, f"{role} 担当", f"{role}@ex.jp", "0612345678")
        await set_contact(ctx1, customer, "billing", "事務 新", "new@ex.jp", "0612345678")
        found = await contacts(ctx1, customer)
        assert set(found) == {"registrant", "technical", "billing", "contract_officer"}
        assert found["billing"].email == "new@ex.jp"
        await add_customer_user(ctx1, customer, email, "利用者", "customer pass 1")
        assert (await Customer.objects().get(Customer.id == customer)).postal_code == "530-0001"
    with tenant_scope(second.tenant):
        assert await scoped(Customer).count() == 0
        with pytest.raises(ValidationFailed) as exc:
            await contacts(ctx2, customer)
        assert exc.value.errors[0].message_id == "tenants.customer_unknown"
        other = await create_customer(ctx2, "別会社", "1000005", "東京都", "千代田区", "0312345678")
        # the same e-mail may be a customer login at another tenant
        await add_customer_user(ctx2, other, email, "利用者", "customer pass 1")
        with pytest.raises(ValidationFailed) as exc:
            await add_customer_user(ctx2, other, email, "利用者", "customer pass 1")
        assert exc.value.errors[0].message_id == "tenants.email_taken"


async def test_audit_log_lists_newest_first_with_delegation_and_pages():
    clock = FrozenClock(START)
    result, _ = await active_tenant(clock)
    delegated = Actor(ActorKind.STAFF, "77", "Partner Admin", "digicert-ops:sato", "198.51.100.7")
    ctx = staff_context(result.tenant, result.owner_id, clock).__class__(
        tenant=result.tenant, actor=delegated, clock=clock
    )
    with tenant_scope(result.tenant):
        before = (await list_audit()).total
        for n in range(5):
            clock.advance(timedelta(minutes=1))
            await audit(ctx, "voucher.reissued", "voucher", n, {"n": n})
        page = await list_audit(page=1, per_page=2)
        assert page.total == before + 5 and page.pages == -(-(before + 5) // 2)
        assert [e.object_id for e in page.entries] == ["4", "3"]
        newest = page.entries[0]
        assert newest.on_behalf_of == "digicert-ops:sato"
        assert newest.ip_address == "198.51.100.7"
        assert newest.actor_name == "Partner Admin" and newest.occurred_at == clock.now()
        assert [e.object_id for e in (await list_audit(page=2, per_page=2)).entries] == ["2", "1"]


async def test_audit_log_is_append_only(database):
    """PostgreSQL refuses UPDATE and DELETE by trigger; on SQLite (no trigger, by design) the
    only guard is that the service offers no update or delete function."""
    import tenants.audit as audit_module

    assert not any(name.startswith(("update", "delete", "remove")) for name in dir(audit_module))
    clock = FrozenClock(START)
    result, _ = await active_tenant(clock)
    with tenant_scope(result.tenant):
        await audit(staff_context(result.tenant, result.owner_id, clock), "test.entry")
    where = AuditEntry.tenant_id == result.tenant.id
    if database.kind == "postgres":
        with pytest.raises(Exception, match="append-only"):
            await AuditEntry.update({AuditEntry.action: "forged"}).where(where)
        with pytest.raises(Exception, match="append-only"):
            await AuditEntry.delete().where(where)
        assert await AuditEntry.count().where(where & (AuditEntry.action == "forged")) == 0
    else:
        assert database.kind == "sqlite"
        await AuditEntry.update({AuditEntry.action: "forged"}).where(where)
        assert await AuditEntry.count().where(where & (AuditEntry.action == "forged")) >= 1
