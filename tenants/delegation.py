"""Delegated access (代行納品): a tenant owner consents, then operators may act inside it.

The owner grants consent for a number of days (``grant_consent``) and may revoke it at any
time. While a consent is in force, ``delegated_context`` gives an operator a context inside
the tenant whose actor carries ``on_behalf_of``, so every action the services audit names the
operator (``operator:<e-mail>``). Without consent, or after it expired or was revoked, the
operator is refused. Operators never see a tenant's secrets through this: it only opens the
tenant's own services, which mask credentials.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core.clock import Clock
from core.context import Actor, ActorKind, Context, TenantRef, tenant_scope
from tenants.audit import audit
from tenants.errors import refuse
from tenants.onboarding import tenant_ref
from tenants.roles import Permission
from tenants.scoping import scoped
from tenants.staff import require_permission
from tenants.tables import DelegationConsent, Operator, StaffUser, Tenant, TenantStatus
from tenants.validation import nfkc

MAX_DAYS = 90


@dataclass(frozen=True)
class ConsentView:
    id: int
    granted_by_name: str
    note: str
    granted_at: datetime
    expires_at: datetime
    revoked_at: datetime | None

    def in_force(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at


def _view(row: DelegationConsent) -> ConsentView:
    return ConsentView(
        row.id, row.granted_by_name, row.note, row.granted_at, row.expires_at, row.revoked_at
    )


async def grant_consent(ctx: Context, days: int, note: str = "") -> ConsentView:
    """The owner's consent for ``days`` (1 to 90) days; a new grant replaces one in force."""
    await require_permission(ctx, Permission.STAFF_MANAGE)  # owners only
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_DAYS:
        refuse("days", "tenants.consent_days_invalid", maximum=MAX_DAYS)
    now = ctx.clock.now()
    await _end(ctx, now)
    person = await scoped(StaffUser, ctx).objects().where(StaffUser.id == int(ctx.actor.id)).first()
    row = scoped(DelegationConsent, ctx).new(
        granted_by=int(ctx.actor.id),
        granted_by_name=person.display_name if person else ctx.actor.display_name,
        note=nfkc(note).strip()[:500],
        granted_at=now,
        expires_at=now + timedelta(days=days),
    )
    await row.save()
    await audit(ctx, "delegation.granted", "delegation_consent", row.id, {"days": days})
    return _view(row)


async def revoke_consent(ctx: Context) -> None:
    await require_permission(ctx, Permission.STAFF_MANAGE)
    ended = await _end(ctx, ctx.clock.now())
    if not ended:
        refuse("consent", "tenants.consent_missing")
    for consent_id in ended:
        await audit(ctx, "delegation.revoked", "delegation_consent", consent_id)


async def _end(ctx: Context, now: datetime) -> list[int]:
    rows = (
        await scoped(DelegationConsent, ctx)
        .update({DelegationConsent.revoked_at: now})
        .where(DelegationConsent.revoked_at.is_null() & (DelegationConsent.expires_at > now))
        .returning(DelegationConsent.id)
    )
    return [row["id"] for row in rows]


async def current_consent(tenant: TenantRef, clock: Clock) -> ConsentView | None:
    """The consent in force for ``tenant`` now, if any (read in the tenant's scope)."""
    now = clock.now()
    with tenant_scope(tenant):
        row = (
            await DelegationConsent.objects()
            .where(
                (DelegationConsent.tenant == tenant.id)
                & DelegationConsent.revoked_at.is_null()
                & (DelegationConsent.expires_at > now)
            )
            .order_by(DelegationConsent.id, ascending=False)
            .first()
        )
    return _view(row) if row else None


def on_behalf_of(operator_email: str) -> str:
    """How the audit log names the operator behind a delegated action."""
    return f"operator:{operator_email}"


async def delegated_context(
    tenant_id: int, operator_id: int, clock: Clock, ip_address: str | None = None
) -> Context:
    """A context inside an active tenant for an operator acting with its consent."""
    operator = await Operator.objects().where(Operator.id == operator_id).first()
    if operator is None or not operator.active:
        refuse("operator", "tenants.operator_only")
    row = await Tenant.objects().where(Tenant.id == tenant_id).first()
    if row is None:
        refuse("tenant", "tenants.tenant_unknown")
    if row.status != TenantStatus.ACTIVE.value:
        refuse("tenant", "tenants.tenant_not_active")
    tenant = tenant_ref(row)
    consent = await current_consent(tenant, clock)
    if consent is None:
        refuse("consent", "tenants.consent_missing")
    actor = Actor(
        ActorKind.OPERATOR,
        str(operator.id),
        operator.display_name,
        on_behalf_of=on_behalf_of(operator.email),
        ip_address=ip_address,
    )
    return Context(tenant=tenant, actor=actor, clock=clock)
