"""Tenant staff: adding people with a role, changing roles, and the permission check."""

from __future__ import annotations

from dataclasses import dataclass

from core.context import ActorKind, Context
from tenants.audit import audit
from tenants.errors import PermissionDenied, raise_if, refuse
from tenants.password_policy import check_password
from tenants.passwords import hash_password
from tenants.roles import Permission, can
from tenants.scoping import scoped
from tenants.tables import StaffRole, StaffUser
from tenants.validation import check_email, nfkc, normalise_email, required


@dataclass(frozen=True)
class StaffView:
    id: int
    email: str
    display_name: str
    role: str
    must_change_password: bool
    totp_enabled: bool
    active: bool = True


def _view(row: StaffUser) -> StaffView:
    return StaffView(
        row.id, row.email, row.display_name, row.role, row.must_change_password,
        row.totp_enabled, row.active,
    )  # fmt: skip


async def acting_role(ctx: Context) -> StaffRole:
    """The role of the staff member acting in ``ctx`` (refused for other actors)."""
    if ctx.actor.kind is not ActorKind.STAFF:
        raise PermissionDenied("staff only")
    row = await scoped(StaffUser, ctx).objects().where(StaffUser.id == int(ctx.actor.id)).first()
    if row is None or not row.active:
        raise PermissionDenied("staff only")
    return StaffRole(row.role)


async def require_permission(ctx: Context, permission: Permission) -> None:
    if not can(await acting_role(ctx), permission):
        raise PermissionDenied(permission.value)


async def add_staff(
    ctx: Context, email: str, display_name: str, role: str, password: str
) -> StaffView:
    """Add a staff member with a password chosen by the admin: changed at first login."""
    await require_permission(ctx, Permission.STAFF_MANAGE)
    email = normalise_email(email)
    errors = [*check_email("email", email), *required("display_name", display_name)]
    if role not in {r.value for r in StaffRole}:
        refuse("role", "tenants.role_invalid")
    errors += check_password(password, email)
    if not errors and await scoped(StaffUser, ctx).exists().where(StaffUser.email == email):
        refuse("email", "tenants.email_taken")
    raise_if(errors)
    row = scoped(StaffUser, ctx).new(
        email=email,
        display_name=nfkc(display_name),
        password_hash=hash_password(password),
        role=role,
        must_change_password=True,
        created_at=ctx.clock.now(),
    )
    await row.save()
    await audit(ctx, "staff.added", "staff_user", row.id, {"role": role})
    return _view(row)


async def change_role(ctx: Context, staff_id: int, role: str) -> None:
    """Only owners manage staff; the last owner cannot be demoted."""
    await require_permission(ctx, Permission.STAFF_MANAGE)
    if role not in {r.value for r in StaffRole}:
        refuse("role", "tenants.role_invalid")
    row = await scoped(StaffUser, ctx).objects().where(StaffUser.id == staff_id).first()
    if row is None:
        refuse("staff", "tenants.staff_unknown")
    if row.role == StaffRole.OWNER.value and role != StaffRole.OWNER.value:
        owners = (
            await scoped(StaffUser, ctx)
            .count()
            .where(
                (StaffUser.role == StaffRole.OWNER.value) & (StaffUser.active == True)  # noqa: E712
            )
        )
        if owners <= 1:
            refuse("role", "tenants.last_owner")
    await scoped(StaffUser, ctx).update({StaffUser.role: role}).where(StaffUser.id == staff_id)
    await audit(ctx, "staff.role_changed", "staff_user", staff_id, {"from": row.role, "to": role})


async def set_active(ctx: Context, staff_id: int, active: bool) -> None:
    """Deactivate a staff member (their login stops working; the row and its audit trail
    stay) or bring them back. Owners only; nobody deactivates themselves or the last owner."""
    await require_permission(ctx, Permission.STAFF_MANAGE)
    row = await scoped(StaffUser, ctx).objects().where(StaffUser.id == staff_id).first()
    if row is None:
        refuse("staff", "tenants.staff_unknown")
    if not active and str(staff_id) == ctx.actor.id:
        refuse("staff", "tenants.cannot_deactivate_self")
    if not active and row.role == StaffRole.OWNER.value and row.active:
        owners = (
            await scoped(StaffUser, ctx)
            .count()
            .where(
                (StaffUser.role == StaffRole.OWNER.value) & (StaffUser.active == True)  # noqa: E712
            )
        )
        if owners <= 1:
            refuse("staff", "tenants.last_owner")
    if row.active == active:
        return
    await scoped(StaffUser, ctx).update({StaffUser.active: active}).where(StaffUser.id == staff_id)
    await audit(ctx, "staff.activated" if active else "staff.deactivated", "staff_user", staff_id)


async def list_staff(ctx: Context) -> list[StaffView]:
    rows = await scoped(StaffUser, ctx).objects().order_by(StaffUser.id)
    return [_view(row) for row in rows]
