"""Logging in, for operators, staff and customer users alike, with lockout and TOTP.

Staff and customer logins are looked up inside the ambient tenant scope (their e-mail is unique
per tenant); operators are global. A failed attempt never says whether the e-mail exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from piccolo.query import Objects, Update
from piccolo.table import Table

from core.clock import Clock
from core.context import Actor, ActorKind, current_tenant
from tenants import attempts, totp
from tenants.audit import write_audit
from tenants.credentials import Keyring
from tenants.errors import refuse
from tenants.passwords import hash_password, needs_rehash, verify_password
from tenants.scoping import scoped, scoped_tenant_id, tenant_column
from tenants.tables import CustomerUser, Operator, StaffUser
from tenants.validation import normalise_email

_DUMMY_HASH = hash_password("not a real password, only spends the same time")


class AccountKind(StrEnum):
    OPERATOR = "operator"
    STAFF = "staff"
    CUSTOMER = "customer"


TABLES: dict[AccountKind, type[Table]] = {
    AccountKind.OPERATOR: Operator,
    AccountKind.STAFF: StaffUser,
    AccountKind.CUSTOMER: CustomerUser,
}
_ACTOR_KINDS = {
    AccountKind.OPERATOR: ActorKind.OPERATOR,
    AccountKind.STAFF: ActorKind.STAFF,
    AccountKind.CUSTOMER: ActorKind.CUSTOMER,
}


@dataclass(frozen=True)
class LoginResult:
    """``authenticated`` is False only when a second factor is still needed."""

    kind: AccountKind
    account_id: int
    display_name: str
    authenticated: bool
    second_factor_required: bool
    must_change_password: bool
    email_verified: bool

    def actor(self, ip_address: str | None = None) -> Actor:
        return Actor(
            _ACTOR_KINDS[self.kind], str(self.account_id), self.display_name, None, ip_address
        )


def objects(kind: AccountKind) -> Objects:
    table = TABLES[kind]
    return table.objects() if kind is AccountKind.OPERATOR else scoped(table).objects()


def update(kind: AccountKind, account_id: int, values: dict[Any, Any]) -> Update:
    table = TABLES[kind]
    query = table.update(values) if kind is AccountKind.OPERATOR else scoped(table).update(values)
    return query.where(table.id == account_id)


async def find_login(kind: AccountKind, email: str) -> Table | None:
    return await objects(kind).where(TABLES[kind].email == normalise_email(email)).first()


def _row_where(kind: AccountKind, account_id: int) -> Any:
    """The one login row, inside the ambient tenant unless it is an operator's."""
    table = TABLES[kind]
    where = table.id == account_id
    if kind is not AccountKind.OPERATOR:
        where &= tenant_column(table) == scoped_tenant_id()
    return where


async def login(
    kind: AccountKind,
    email: str,
    password: str,
    clock: Clock,
    *,
    totp_code: str | None = None,
    keyring: Keyring | None = None,
    ip_address: str | None = None,
) -> LoginResult:
    """Check the password (and the TOTP code when the staff member enabled one).

    The attempt is counted before the password is checked (``tenants.attempts``), so however
    many arrive at once, at most ``lockout.MAX_FAILURES`` are checked before the lock."""
    row = await find_login(kind, email)
    now = clock.now()
    if row is None or not row.active:
        verify_password(_DUMMY_HASH, password)
        refuse("email", "tenants.login_failed")
    table, where = TABLES[kind], _row_where(kind, row.id)
    attempt = await attempts.reserve(table, where, now)
    if attempt is None:  # deleted since it was found: the same answer as an unknown e-mail
        refuse("email", "tenants.login_failed")
    if attempt.refused:
        await _audit(kind, row, clock, ip_address, "login.refused_locked")
        refuse("email", "tenants.account_locked", until=_local(attempt.refused_until))
    if not verify_password(row.password_hash, password):
        await _failed(kind, row, attempt, clock, ip_address, "tenants.login_failed")
    step = None
    if isinstance(row, StaffUser) and row.totp_enabled:
        if not totp_code:
            await attempts.release(table, where, attempt)  # the right password is no failure
            return _result(kind, row, authenticated=False, second_factor_required=True)
        if keyring is None:
            raise RuntimeError("a keyring is needed to check a TOTP code")
        secret = totp.open_secret(keyring, row)
        step = totp.matching_step(secret, totp_code, now, row.totp_last_step)
        if step is None:
            await _failed(kind, row, attempt, clock, ip_address, "tenants.totp_invalid")
    values: dict[Any, Any] = {table.last_login_at: now}
    if step is not None:
        values[StaffUser.totp_last_step] = step
    if needs_rehash(row.password_hash):
        values[table.password_hash] = hash_password(password)
    await attempts.clear(table, where, values)
    await _audit(kind, row, clock, ip_address, "login.succeeded")
    return _result(kind, row, authenticated=True, second_factor_required=False)


async def _failed(
    kind: AccountKind,
    row: Table,
    attempt: attempts.Attempt,
    clock: Clock,
    ip_address: str | None,
    message_id: str,
) -> None:
    """The reserved attempt was a failure (already counted): audit it and refuse."""
    if attempt.locks_until is not None:
        await _audit(kind, row, clock, ip_address, "login.locked")
        refuse("email", "tenants.account_locked", until=_local(attempt.locks_until))
    await _audit(kind, row, clock, ip_address, "login.failed")
    refuse("email", message_id)


def _result(
    kind: AccountKind, row: Table, *, authenticated: bool, second_factor_required: bool
) -> LoginResult:
    return LoginResult(
        kind=kind,
        account_id=row.id,
        display_name=row.display_name,
        authenticated=authenticated,
        second_factor_required=second_factor_required,
        must_change_password=row.must_change_password,
        email_verified=row.email_verified_at is not None,
    )


async def _audit(
    kind: AccountKind, row: Table, clock: Clock, ip_address: str | None, action: str
) -> None:
    tenant = current_tenant()
    if kind is AccountKind.OPERATOR or tenant is None:
        return  # operators' logins belong to no tenant's audit log
    actor = Actor(_ACTOR_KINDS[kind], str(row.id), row.display_name, None, ip_address)
    await write_audit(tenant.id, actor, clock, action, TABLES[kind]._meta.tablename, row.id)


async def unlock(kind: AccountKind, account_id: int) -> None:
    """Clear a lock (an operator or a tenant admin resets a locked account)."""
    table = TABLES[kind]
    await update(kind, account_id, {table.locked_until: None, table.recent_failures: []})


def token_tenant_id(kind: AccountKind) -> int | None:
    """The tenant a token of this login kind belongs to (None for operators)."""
    if kind is AccountKind.OPERATOR:
        return None
    tenant = current_tenant()
    return tenant.id if tenant else None


def _local(at: datetime | None) -> str:
    tenant = current_tenant()
    zone = ZoneInfo(tenant.time_zone if tenant else "Asia/Tokyo")
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M") if at else ""
