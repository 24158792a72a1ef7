"""Consent to delegated access (代行納品): owners grant and revoke it, it expires by the clock,
and an operator's context inside the tenant carries on_behalf_of into the audit log."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.clock import FrozenClock
from core.context import tenant_scope
from core.errors import ValidationFailed
from tenants.audit import audit, list_audit
from tenants.delegation import delegated_context, grant_consent, revoke_consent
from tenants.errors import PermissionDenied
from tenants.onboarding import reject, sign_up_tenant, suspend
from tenants.operators import add_operator
from tenants.staff import add_staff, set_active
from tenants.tables import Operator
from tests.tenants.helpers import OPERATOR, START, active_tenant, signup_form, staff_context


async def _operator(clock: FrozenClock) -> int:
    email = "delegate@example.jp"
    if not await Operator.exists().where(Operator.email == email):
        await add_operator(email, "代行 次郎", "correct horse battery", clock)
    return (await Operator.objects().where(Operator.email == email).first()).id


async def test_consent_expires_and_is_attributed(database):
    clock = FrozenClock(START)
    result, _ = await active_tenant(clock)
    owner = staff_context(result.tenant, result.owner_id, clock)
    operator_id = await _operator(clock)
    with pytest.raises(ValidationFailed) as refused:
        await delegated_context(result.tenant.id, operator_id, clock)
    assert refused.value.errors[0].message_id == "tenants.consent_missing"
    with tenant_scope(result.tenant):
        with pytest.raises(ValidationFailed):
            await grant_consent(owner, 91)
        await grant_consent(owner, 2, "DCJ")
        ctx = await delegated_context(result.tenant.id, operator_id, clock)
        assert ctx.actor.on_behalf_of == "operator:delegate@example.jp"
        await audit(ctx, "test.delegated")
        entries = (await list_audit()).entries
    assert entries[0].actor_name == "代行 次郎"
    assert entries[0].on_behalf_of == "operator:delegate@example.jp"
    clock.advance(timedelta(days=2, seconds=1))
    with pytest.raises(ValidationFailed):
        await delegated_context(result.tenant.id, operator_id, clock)
    with tenant_scope(result.tenant):
        await grant_consent(owner, 5)
        await revoke_consent(owner)
        with pytest.raises(ValidationFailed):
            await revoke_consent(owner)
    with pytest.raises(ValidationFailed):
        await delegated_context(result.tenant.id, operator_id, clock)


async def test_only_owners_consent_and_suspended_tenants_refuse(database):
    clock = FrozenClock(START)
    result, _ = await active_tenant(clock)
    owner = staff_context(result.tenant, result.owner_id, clock)
    with tenant_scope(result.tenant):
        admin = await add_staff(
            owner, "admin-d@example.jp", "管理", "admin", "correct horse battery"
        )
        with pytest.raises(PermissionDenied):
            await grant_consent(staff_context(result.tenant, admin.id, clock), 3)
        await grant_consent(owner, 3)
        await suspend(result.tenant.id, OPERATOR, clock, "未払い")
    with pytest.raises(ValidationFailed) as refused:
        await delegated_context(result.tenant.id, await _operator(clock), clock)
    assert refused.value.errors[0].message_id == "tenants.tenant_not_active"


async def test_reject_needs_a_reason_and_deactivation_spares_the_last_owner(database):
    clock = FrozenClock(START)
    pending = await sign_up_tenant(signup_form(), clock)
    with pytest.raises(ValidationFailed):
        await reject(pending.tenant.id, OPERATOR, clock, " ")
    await reject(pending.tenant.id, OPERATOR, clock, "書類不備")
    result, _ = await active_tenant(clock)
    owner = staff_context(result.tenant, result.owner_id, clock)
    with tenant_scope(result.tenant):
        second = await add_staff(
            owner, "own2@example.jp", "二人目", "owner", "correct horse battery"
        )
        with pytest.raises(ValidationFailed):
            await set_active(owner, result.owner_id, False)  # not oneself
        await set_active(owner, second.id, False)
        other = staff_context(result.tenant, second.id, clock)
        with pytest.raises(PermissionDenied):  # a deactivated owner may do nothing
            await set_active(other, result.owner_id, False)
