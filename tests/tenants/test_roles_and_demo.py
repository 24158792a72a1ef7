from pathlib import Path

import pytest

from core.clock import FrozenClock
from core.context import tenant_scope
from core.errors import ValidationFailed
from tenants.demo import DEMO_CUSTOMER, DEMO_OWNER, DEMO_REGISTRATION_NUMBER, seed_demo_tenant
from tenants.errors import PermissionDenied
from tenants.logins import AccountKind, login
from tenants.registration_number import check_registration_number
from tenants.resolution import resolve_host
from tenants.roles import Permission, can, roles_markdown
from tenants.staff import add_staff, change_role
from tests.tenants.helpers import START, active_tenant, staff_context, unique


def test_docs_roles_md_renders_the_permission_table():
    assert roles_markdown() in Path("docs/roles.md").read_text(encoding="utf-8")


def test_role_permissions():
    assert all(can("owner", p) for p in Permission)
    assert not can("admin", Permission.STAFF_MANAGE)
    assert can("finance", Permission.INVOICES_MANAGE) and not can(
        "finance", Permission.ORDERS_MANAGE
    )
    assert can("support", Permission.CUSTOMERS_MANAGE) and not can(
        "support", Permission.PAYMENTS_MANAGE
    )
    assert [p for p in Permission if can("read_only", p)] == [
        Permission.ORDERS_VIEW,
        Permission.CUSTOMERS_VIEW,
        Permission.INVOICES_VIEW,
    ]


@pytest.mark.usefixtures("database")
async def test_only_owners_manage_staff_and_the_last_owner_stays():
    clock = FrozenClock(START)
    result, _ = await active_tenant(clock)
    owner = staff_context(result.tenant, result.owner_id, clock)
    with tenant_scope(result.tenant):
        admin = await add_staff(
            owner, f"{unique('a')}@example.jp", "Admin", "admin", "admin pass 123"
        )
        with pytest.raises(PermissionDenied):
            await add_staff(
                staff_context(result.tenant, admin.id, clock),
                f"{unique('b')}@example.jp",
                "B",
                "support",
                "support pass 1",
            )
        with pytest.raises(ValidationFailed) as exc:
            await change_role(owner, result.owner_id, "admin")
        assert exc.value.errors[0].message_id == "tenants.last_owner"
        await change_role(owner, admin.id, "owner")
        await change_role(owner, result.owner_id, "admin")


@pytest.mark.usefixtures("database")
async def test_demo_tenant_is_valid_and_its_logins_work():
    clock = FrozenClock(START)
    lines = await seed_demo_tenant(clock)
    assert lines == await seed_demo_tenant(clock)
    assert any(DEMO_CUSTOMER[0] in line for line in lines)
    assert check_registration_number(DEMO_REGISTRATION_NUMBER) == []
    tenant = await resolve_host("demo.shomei.example.jp", "shomei.example.jp")
    with tenant_scope(tenant):
        assert (await login(AccountKind.STAFF, DEMO_OWNER[0], DEMO_OWNER[1], clock)).authenticated
        customer = await login(AccountKind.CUSTOMER, *DEMO_CUSTOMER, clock)
        assert customer.authenticated and not customer.must_change_password
