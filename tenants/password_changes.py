"""Changing, setting and resetting passwords; each new password passes the password rule."""

from __future__ import annotations

from core.clock import Clock
from tenants.errors import raise_if, refuse
from tenants.logins import TABLES, AccountKind, find_login, objects, token_tenant_id, update
from tenants.password_policy import check_password
from tenants.passwords import hash_password, verify_password
from tenants.tables import OneTimeToken
from tenants.tokens import TokenPurpose, TokenSubject, consume_token, issue_token, token_digest


async def change_password(
    kind: AccountKind, account_id: int, current: str, new: str, clock: Clock
) -> None:
    """The person changes their own password (also how a first-login change is done)."""
    table = TABLES[kind]
    row = await objects(kind).where(table.id == account_id).first()
    if row is None:
        refuse("current_password", "tenants.login_failed")
    if not verify_password(row.password_hash, current):
        refuse("current_password", "tenants.current_password_wrong")
    if new == current:
        refuse("password", "tenants.password_unchanged")
    raise_if(check_password(new, row.email))
    await update(
        kind,
        account_id,
        {table.password_hash: hash_password(new), table.must_change_password: False},
    )


async def set_password_by_staff(kind: AccountKind, account_id: int, new: str) -> None:
    """An admin sets someone's password: it must be changed at their next login."""
    table = TABLES[kind]
    row = await objects(kind).where(table.id == account_id).first()
    if row is None:
        refuse("account", "tenants.account_unknown")
    raise_if(check_password(new, row.email))
    await update(
        kind,
        account_id,
        {table.password_hash: hash_password(new), table.must_change_password: True},
    )


async def request_password_reset(kind: AccountKind, email: str, clock: Clock) -> str | None:
    """A reset token for the e-mail's login, or None when there is none (say "sent" anyway)."""
    row = await find_login(kind, email)
    if row is None or not row.active:
        return None
    subject = TokenSubject(kind.value, row.id, token_tenant_id(kind))
    return await issue_token(TokenPurpose.RESET_PASSWORD, subject, clock)


async def reset_password(kind: AccountKind, token: str, new: str, clock: Clock) -> int:
    """Set a new password with a reset token; returns the login's id. Clears a lockout."""
    subject = await _peek_and_check(kind, token, new, clock)
    table = TABLES[kind]
    await update(
        kind,
        subject.account_id,
        {
            table.password_hash: hash_password(new),
            table.must_change_password: False,
            table.locked_until: None,
            table.recent_failures: [],
        },
    )
    return subject.account_id


async def _peek_and_check(kind: AccountKind, token: str, new: str, clock: Clock) -> TokenSubject:
    """Check the new password before the token is spent, so a weak one can be retried."""
    pending = await OneTimeToken.objects().where(OneTimeToken.token_hash == token_digest(token))
    if pending and pending[0].account_kind == kind.value:
        row = await objects(kind).where(TABLES[kind].id == pending[0].account_id).first()
        if row is not None:
            raise_if(check_password(new, row.email))
    subject = await consume_token(TokenPurpose.RESET_PASSWORD, token, clock)
    if subject.account_kind != kind.value:
        refuse("token", "tenants.token_invalid")
    return subject
