"""E-mail verification: a single-use token sent to the address; following it marks it verified."""

from __future__ import annotations

from core.clock import Clock
from tenants.errors import refuse
from tenants.logins import TABLES, AccountKind, token_tenant_id, update
from tenants.tokens import TokenPurpose, TokenSubject, consume_token, issue_token


async def start_email_verification(kind: AccountKind, account_id: int, clock: Clock) -> str:
    """A verification token for the login (the caller mails the link)."""
    subject = TokenSubject(kind.value, account_id, token_tenant_id(kind))
    return await issue_token(TokenPurpose.VERIFY_EMAIL, subject, clock)


async def verify_email(kind: AccountKind, token: str, clock: Clock) -> int:
    """Mark the login's e-mail verified; returns the login's id."""
    subject = await consume_token(TokenPurpose.VERIFY_EMAIL, token, clock)
    if subject.account_kind != kind.value:
        refuse("token", "tenants.token_invalid")
    await update(kind, subject.account_id, {TABLES[kind].email_verified_at: clock.now()})
    return subject.account_id
