"""Tenant sign-up by a company and the operator's review: pending → active ⇄ suspended.

A sign-up is approved only after its owner confirmed their e-mail address (the link of the
verification mail, ``verify_owner_email``); until then the operator sees it as unconfirmed."""

from __future__ import annotations

from dataclasses import dataclass

from core.clock import Clock
from core.context import Actor, ActorKind, TenantRef, tenant_scope
from core.errors import FieldError
from tenants.audit import write_audit
from tenants.company import CompanyProfile
from tenants.email_verification import start_email_verification, verify_email
from tenants.errors import raise_if, refuse
from tenants.logins import AccountKind
from tenants.password_policy import check_password
from tenants.passwords import hash_password
from tenants.tables import StaffRole, StaffUser, Tenant, TenantStatus
from tenants.validation import (
    check_email,
    check_kana,
    check_slug,
    nfkc,
    normalise_email,
    normalise_kana,
    required,
)

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
    organization_kana: str = ""
    """The company name's reading (フリガナ) in katakana; required."""


@dataclass(frozen=True)
class SignUpResult:
    tenant: TenantRef
    owner_id: int
    verification_token: str  # for the e-mail to the owner; shown nowhere else


def tenant_ref(row: Tenant) -> TenantRef:
    return TenantRef(id=row.id, slug=row.slug, language=row.language, time_zone=row.time_zone)


async def sign_up_errors(form: TenantSignUp) -> list[FieldError]:
    """Every problem of a sign-up at once (a taken subdomain too), without writing anything."""
    company = form.company.normalised()
    slug = nfkc(form.slug).lower()
    owner_email = normalise_email(form.owner_email)
    kana = normalise_kana(form.organization_kana)
    errors: list[FieldError] = [
        *(required("slug", slug) or check_slug("slug", slug)),
        *required("display_name", form.display_name),
        *company.errors(),
        *check_kana("organization_kana", kana),
        *check_email("owner_email", owner_email),
        *required("owner_name", form.owner_name),
        *(
            required("owner_password", form.owner_password)
            or check_password(form.owner_password, owner_email, field="owner_password")
        ),
    ]
    if form.language not in ("ja", "en"):
        errors.append(FieldError("language", "tenants.language_invalid"))
    if not any(e.field == "slug" for e in errors):
        if await Tenant.exists().where(Tenant.slug == slug):
            errors.append(FieldError("slug", "tenants.slug_taken"))
    return errors


async def sign_up_tenant(
    form: TenantSignUp, clock: Clock, ip_address: str | None = None
) -> SignUpResult:
    """Create a pending tenant and its owner; the operator approves it later."""
    raise_if(await sign_up_errors(form))
    company = form.company.normalised()
    slug = nfkc(form.slug).lower()
    owner_email = normalise_email(form.owner_email)
    now = clock.now()
    row = Tenant(
        slug=slug,
        name=nfkc(form.display_name),
        status=TenantStatus.PENDING.value,
        language=form.language,
        created_at=now,
        organization_name_kana=normalise_kana(form.organization_kana),
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


@dataclass(frozen=True)
class Owner:
    """The tenant's owner as the review and its mails need them."""

    id: int
    email: str
    display_name: str
    email_verified: bool


async def tenant_owner(tenant: TenantRef) -> Owner | None:
    """The first owner of ``tenant`` (the person who signed up), or None."""
    with tenant_scope(tenant):
        row = (
            await StaffUser.objects()
            .where((StaffUser.tenant == tenant.id) & (StaffUser.role == StaffRole.OWNER.value))
            .order_by(StaffUser.id)
            .first()
        )
    if row is None:
        return None
    return Owner(row.id, row.email, row.display_name, row.email_verified_at is not None)


async def owners_verified(tenants: list[TenantRef]) -> dict[int, bool]:
    """For the operator's queue: whether each tenant's owner confirmed their e-mail (read in
    each tenant's own scope, so row-level security needs no system role for it)."""
    found: dict[int, bool] = {}
    for tenant in tenants:
        owner = await tenant_owner(tenant)
        found[tenant.id] = owner is not None and owner.email_verified
    return found


async def verify_owner_email(slug: str, token: str, clock: Clock) -> TenantRef:
    """Follow the sign-up's verification link: the owner's e-mail is confirmed, and the
    application can be approved. Refused (``token``) when unknown, used or expired."""
    row = await Tenant.objects().where(Tenant.slug == nfkc(slug).lower()).first()
    if row is None or not token:
        refuse("token", "tenants.token_invalid")
    ref = tenant_ref(row)
    with tenant_scope(ref):
        await verify_email(AccountKind.STAFF, token, clock)
    return ref


@dataclass(frozen=True)
class NewLink:
    tenant: TenantRef
    owner: Owner
    organization_name: str
    token: str


async def renew_owner_verification(slug: str, email: str, clock: Clock) -> NewLink | None:
    """A new confirmation token for a pending application whose owner has ``email`` and has
    not confirmed it yet (the first link expired or was lost); None otherwise, so the caller
    answers the same whether or not such an application exists."""
    row = await Tenant.objects().where(Tenant.slug == nfkc(slug).lower()).first()
    if row is None or row.status != TenantStatus.PENDING.value:
        return None
    ref = tenant_ref(row)
    owner = await tenant_owner(ref)
    if owner is None or owner.email_verified or owner.email != normalise_email(email):
        return None
    with tenant_scope(ref):
        token = await start_email_verification(AccountKind.STAFF, owner.id, clock)
    return NewLink(ref, owner, row.organization_name, token)


async def approve(tenant_id: int, actor: Actor, clock: Clock) -> None:
    """Open a pending tenant; its owner must have confirmed their e-mail address first."""
    if actor.kind is not ActorKind.OPERATOR:
        refuse("status", "tenants.operator_only")
    row = await Tenant.objects().where(Tenant.id == tenant_id).first()
    if row is not None and row.status == TenantStatus.PENDING.value:
        owner = await tenant_owner(tenant_ref(row))
        if owner is None or not owner.email_verified:
            refuse("status", "tenants.owner_email_unverified")
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
