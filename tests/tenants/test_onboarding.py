import pytest

from core.clock import FrozenClock
from core.context import tenant_scope
from core.errors import ValidationFailed
from tenants.audit import list_audit
from tenants.onboarding import (
    approve,
    change_status,
    owners_verified,
    reactivate,
    sign_up_tenant,
    suspend,
    tenant_owner,
    verify_owner_email,
)
from tenants.tables import StaffUser, Tenant, TenantStatus
from tests.app_role import concurrent_database  # noqa: F401  (the fixture)
from tests.tenants.helpers import OPERATOR, START, company, signup_form, staff_context

pytestmark = pytest.mark.usefixtures("database")


def ids(exc: pytest.ExceptionInfo) -> dict[str, str]:
    return {e.field: e.message_id for e in exc.value.errors}


async def test_sign_up_creates_a_pending_tenant_with_its_owner():
    clock = FrozenClock(START)
    form = signup_form()
    result = await sign_up_tenant(form, clock)
    row = await Tenant.objects().get(Tenant.id == result.tenant.id)
    assert row.status == "pending"
    assert row.postal_code == "100-0005"
    assert row.registration_number == "T7000012050002"
    assert result.verification_token


async def test_sign_up_reports_every_bad_field_at_once():
    form = signup_form(
        company=company(registration_number="T7000012050003", postal_code="12", prefecture="東京"),
        owner_password="short",
    )
    with pytest.raises(ValidationFailed) as exc:
        await sign_up_tenant(form, FrozenClock(START))
    assert ids(exc) == {
        "registration_number": "tenants.registration_number_check_digit",
        "postal_code": "tenants.postal_code_invalid",
        "prefecture": "tenants.prefecture_invalid",
        "owner_password": "tenants.password_too_short",
    }


async def test_duplicate_slug_is_refused():
    form = signup_form()
    await sign_up_tenant(form, FrozenClock(START))
    again = signup_form(slug=form.slug)
    with pytest.raises(ValidationFailed) as exc:
        await sign_up_tenant(again, FrozenClock(START))
    assert ids(exc) == {"slug": "tenants.slug_taken"}


async def test_review_transitions_and_illegal_ones():
    clock = FrozenClock(START)
    result = await sign_up_tenant(signup_form(), clock)
    tenant_id = result.tenant.id
    with pytest.raises(ValidationFailed) as exc:
        await suspend(tenant_id, OPERATOR, clock)  # pending → suspended is not allowed
    assert ids(exc) == {"status": "tenants.status_transition_refused"}
    await verify_owner_email(result.tenant.slug, result.verification_token, clock)
    await approve(tenant_id, OPERATOR, clock)
    with pytest.raises(ValidationFailed):
        await approve(tenant_id, OPERATOR, clock)  # active → active
    await suspend(tenant_id, OPERATOR, clock, "unpaid")
    await reactivate(tenant_id, OPERATOR, clock)
    with pytest.raises(ValidationFailed):
        await change_status(tenant_id, TenantStatus.PENDING, OPERATOR, clock)
    row = await Tenant.objects().get(Tenant.id == tenant_id)
    assert row.status == "active"
    with tenant_scope(result.tenant):
        page = await list_audit()
    actions = [e.action for e in page.entries]
    assert actions[:3] == ["tenant.active", "tenant.suspended", "tenant.active"]
    assert page.entries[1].details["reason"] == "unpaid"
    assert page.entries[0].actor_kind == "operator"


async def test_approval_waits_for_the_owners_confirmed_e_mail():
    clock = FrozenClock(START)
    result = await sign_up_tenant(signup_form(), clock)
    other = await sign_up_tenant(signup_form(), clock)
    tenant_id = result.tenant.id
    with pytest.raises(ValidationFailed) as exc:
        await approve(tenant_id, OPERATOR, clock)
    assert ids(exc) == {"status": "tenants.owner_email_unverified"}
    assert await owners_verified([result.tenant, other.tenant]) == {
        tenant_id: False,
        other.tenant.id: False,
    }
    with pytest.raises(ValidationFailed) as exc:  # another tenant's slug: the token is unknown
        await verify_owner_email(other.tenant.slug, result.verification_token, clock)
    assert ids(exc) == {"token": "tenants.token_invalid"}
    verified = await verify_owner_email(result.tenant.slug, result.verification_token, clock)
    assert verified.id == tenant_id
    with pytest.raises(ValidationFailed) as exc:
        await verify_owner_email(result.tenant.slug, result.verification_token, clock)
    assert ids(exc) == {"token": "tenants.token_used"}
    owner = await tenant_owner(result.tenant)
    assert owner is not None and owner.email_verified and owner.id == result.owner_id
    assert await owners_verified([result.tenant, other.tenant]) == {
        tenant_id: True,
        other.tenant.id: False,
    }
    await approve(tenant_id, OPERATOR, clock)
    assert (await Tenant.objects().get(Tenant.id == tenant_id)).status == "active"


async def test_the_company_reading_is_katakana():
    form = signup_form(organization_kana="てすと ﾎｽﾃｨﾝｸﾞ")  # hiragana and half-width are fine
    result = await sign_up_tenant(form, FrozenClock(START))
    row = await Tenant.objects().get(Tenant.id == result.tenant.id)
    assert row.organization_name_kana == "テスト ホスティング"
    for bad, message in (("", "tenants.field_required"), ("Test 株式会社", "tenants.kana_invalid")):
        with pytest.raises(ValidationFailed) as exc:
            await sign_up_tenant(signup_form(organization_kana=bad), FrozenClock(START))
        assert ids(exc) == {"organization_kana": message}


async def test_only_operators_review():
    clock = FrozenClock(START)
    result = await sign_up_tenant(signup_form(), clock)
    staff = staff_context(result.tenant, result.owner_id, clock).actor
    with pytest.raises(ValidationFailed) as exc:
        await approve(result.tenant.id, staff, clock)
    assert ids(exc) == {"status": "tenants.operator_only"}


@pytest.mark.usefixtures("concurrent_database")
async def test_sign_up_works_as_the_app_role_under_row_level_security():
    """The owner, the audit row and the verification token are written in the new tenant's
    scope: on PostgreSQL the app role (under RLS) can sign a tenant up, as the public page will."""
    clock = FrozenClock(START)
    result = await sign_up_tenant(signup_form(), clock)
    with tenant_scope(result.tenant):
        owner = await StaffUser.objects().where(StaffUser.id == result.owner_id).first()
    assert owner is not None and owner.role == "owner" and result.verification_token
