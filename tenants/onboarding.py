"""Tenant sign-up by a company and the operator's review: pending → active ⇄ suspended."""

from __future__ import annotations

from dataclasses import dataclass

from core.clock import Clock
from core.context import Actor, ActorKind, TenantRef, tenant_scope
from core.errors import FieldError
from tenants.audit import write_audit
from tenants.company import CompanyProfile
from tenants.email_verification import start_email_verification
from tenants.errors import raise_if, refuse
from tenants.logins import AccountKind
from tenants.password_policy import check_password
from tenants.passwords import hash_password
from tenants.tables import StaffRole, StaffUser, Tenant, TenantStatus
from tenants.validation import check_email, check_slug, nfkc, normalise_email, required

TRANSITIONS: dict[TenantStatus, frozenset[TenantStatus]] = {
    TenantStatus.PENDING: frozenset({TenantStatus.ACTIVE, TenantStatus.REJECTED}),
    TenantStatus.ACTIVE: frozenset({TenantStatus.SUSPENDED}),
    TenantStatus.SUSPENDED: frozenset({TenantStatus.ACTIVE}),
    TenantStatus.REJECTED: frozenset(),
}


@dataclass(frozen=True)
class TenantSignUp:
    """What a company enters to become a tenant; the owner chooses their own password."""

    slug: str
    display_name: str
    company: CompanyProfile
    owner_email: str
    owner_name: str
    owner_password: str
    language: str = "ja"


@dataclass(frozen=True)
class SignUpResult:
    tenant: TenantRef
    owner_id: int
    verification_token: str  # for the e-mail to the owner; shown nowhere else


def tenant_ref(row: Tenant) -> TenantRef:
    return TenantRef(id=row.id, slug=row.slug, language=row.language, time_zone=row.time_zone)


async def sign_up_tenant(
    form: TenantSignUp, clock: Clock, ip_address: str | None = None
) -> SignUpResult:
    """Create a pending tenant and its owner; the operator approves it later."""
    company = form.company.normalised()
    slug = nfkc(form.slug).lower()
    owner_email = normalise_email(form.owner_email)
    errors: list[FieldError] = [
        *check_slug("slug", slug),
        *required("display_name", form.display_name),
        *company.errors(),
        *check_email("owner_email", owner_email),
        *required("owner_name", form.owner_name),
        *check_password(form.owner_password, owner_email, field="owner_password"),
    ]
    if form.language not in ("ja", "en"):
        errors.append(FieldError("language", "tenants.language_invalid"))
    if not any(e.field == "slug" for e in errors):
        if await Tenant.exists().where(Tenant.slug == slug):
            errors.append(FieldError("slug", "tenants.slug_taken"))
    raise_if(errors)
    now = clock.now()
    row = Tenant(
        slug=slug,
        name=nfkc(form.display_name),
        status=TenantStatus.PENDING.value,
        language=form.language,
        created_at=now,
        **company.__dict__,
    )
    await row.save()
    ref = tenant_ref(row)
    with tenant_scope(ref):  # the owner, the audit row and the token are the tenant's own rows
        owner = StaffUser(
            tenant=row.id,
            email=owner_email,
            display_name=nfkc(form.owner_name),
            password_hash=hash_password(form.owner_password),
            role=StaffRole.OWNER.value,
            must_change_password=False,
            created_at=now,
        )
        await owner.save()
        actor = Actor(ActorKind.STAFF, str(owner.id), owner.display_name, None, ip_address)
        await write_audit(row.id, actor, clock, "tenant.signed_up", "tenant", row.id)
        token = await start_email_verification(AccountKind.STAFF, owner.id, clock)
    return SignUpResult(tenant=ref, owner_id=owner.id, verification_token=token)


async def change_status(
    tenant_id: int, target: TenantStatus, actor: Actor, clock: Clock, reason: str = ""
) -> None:
    """Move a tenant to ``target`` when the transition is allowed (operators only)."""
    if actor.kind is not ActorKind.OPERATOR:
        refuse("status", "tenants.operator_only")
    row = await Tenant.objects().where(Tenant.id == tenant_id).first()
    if row is None:
        refuse("tenant", "tenants.tenant_unknown")
    current = TenantStatus(row.status)
    if target not in TRANSITIONS[current]:
        refuse("status", "tenants.status_transition_refused", current=current, target=target)
    changed = (
        await Tenant.update({Tenant.status: target.value, Tenant.status_changed_at: clock.now()})
        .where((Tenant.id == tenant_id) & (Tenant.status == current.value))
        .returning(Tenant.id)
    )
    if not changed:  # someone else moved it first
        refuse("status", "tenants.status_transition_refused", current=current, target=target)
    details = {"from": current.value, "to": target.value, "reason": reason}
    await write_audit(
        tenant_id, actor, clock, f"tenant.{target.value}", "tenant", tenant_id, details
    )


async def approve(tenant_id: int, actor: Actor, clock: Clock) -> None:
    await change_status(tenant_id, TenantStatus.ACTIVE, actor, clock, "approved")


async def suspend(tenant_id: int, actor: Actor, clock: Clock, reason: str = "") -> None:
    await change_status(tenant_id, TenantStatus.SUSPENDED, actor, clock, reason)


async def reject(tenant_id: int, actor: Actor, clock: Clock, reason: str) -> None:
    """Refuse a pending sign-up for good; the reason is required and kept in the audit log."""
    if not nfkc(reason).strip():
        refuse("reason", "tenants.field_required")
    await change_status(tenant_id, TenantStatus.REJECTED, actor, clock, nfkc(reason).strip())


async def reactivate(tenant_id: int, actor: Actor, clock: Clock) -> None:
    await change_status(tenant_id, TenantStatus.ACTIVE, actor, clock, "reactivated")


async def pending_tenants() -> list[TenantRef]:
    """Tenants waiting for review, oldest first (the operator's queue)."""
    rows = (
        await Tenant.objects()
        .where(Tenant.status == TenantStatus.PENDING.value)
        .order_by(Tenant.created_at)
    )
    return [tenant_ref(row) for row in rows]
