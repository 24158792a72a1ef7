"""Twenty wrong passwords at the same moment: at most five are checked before the lock.

Each attempt is counted before its password is checked (``tenants.attempts``); on PostgreSQL
the attempts run on concurrent connections of the app role, under row-level security.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from core.clock import FrozenClock
from core.context import TenantRef, tenant_scope
from core.errors import ValidationFailed
from tenants import logins
from tenants.lockout import MAX_FAILURES
from tenants.logins import AccountKind, login
from tenants.onboarding import tenant_ref
from tenants.passwords import hash_password
from tenants.tables import StaffRole, StaffUser, Tenant, TenantStatus
from tests.app_role import concurrent_database  # noqa: F401  (the fixture)
from tests.races import answer, counting
from tests.tenants.helpers import START, company, unique

PASSWORD = "correct horse battery"

ATTEMPTS = 20


async def owner_of_a_new_tenant(clock: FrozenClock) -> tuple[TenantRef, int, str]:
    """An active tenant and its owner, written as the app role can (the owner in the tenant's
    scope, so row-level security lets the row in)."""
    now = clock.now()
    tenant = Tenant(
        slug=unique("race"),
        name="Race",
        status=TenantStatus.ACTIVE.value,
        language="ja",
        created_at=now,
        **company().normalised().__dict__,
    )
    await tenant.save()
    ref = tenant_ref(tenant)
    email = f"owner-{ref.slug}@example.jp"
    with tenant_scope(ref):
        owner = StaffUser(
            tenant=tenant.id,
            email=email,
            display_name="Owner",
            password_hash=hash_password(PASSWORD),
            role=StaffRole.OWNER.value,
            must_change_password=False,
            created_at=now,
        )
        await owner.save()
    return ref, owner.id, email


async def test_twenty_concurrent_wrong_passwords_check_at_most_five(
    concurrent_database: Any,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = FrozenClock(START)
    tenant, owner_id, email = await owner_of_a_new_tenant(clock)
    checked = counting(monkeypatch, logins)
    with tenant_scope(tenant):
        answers = await asyncio.gather(
            *(
                answer(login(AccountKind.STAFF, email, f"wrong {n}!", clock))
                for n in range(ATTEMPTS)
            )
        )
        row = await StaffUser.objects().where(StaffUser.id == owner_id).first()
        assert len(checked) <= MAX_FAILURES
        assert answers.count("tenants.login_failed") == MAX_FAILURES - 1
        assert answers.count("tenants.account_locked") == ATTEMPTS - MAX_FAILURES + 1
        assert row is not None and row.locked_until is not None
        with pytest.raises(ValidationFailed):  # even the right password, while locked
            await login(AccountKind.STAFF, email, PASSWORD, clock)
        assert len(checked) <= MAX_FAILURES


async def test_concurrent_right_passwords_all_sign_in_and_leave_no_failures(
    concurrent_database: Any,  # noqa: F811
) -> None:
    clock = FrozenClock(START)
    tenant, owner_id, email = await owner_of_a_new_tenant(clock)
    with tenant_scope(tenant):
        answers = await asyncio.gather(
            *(answer(login(AccountKind.STAFF, email, PASSWORD, clock)) for _ in range(4))
        )
        assert answers == ["signed in"] * 4
        row = await StaffUser.objects().where(StaffUser.id == owner_id).first()
        assert row is not None and row.locked_until is None
