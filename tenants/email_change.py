"""Changing a login's e-mail address: only once the new address proves it receives mail.

``start_email_change`` checks the new address (valid, not another login's of this tenant)
and returns a single-use token (``tenants.tokens``, purpose ``change_email``, 24 hours) that
carries the new address after a dot, covered by the stored digest; the caller mails a link
with it to the **new** address. ``confirm_email_change`` spends the token, checks the address
again (someone may have taken it meanwhile) and only then writes it, marked verified.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from core.clock import Clock
from tenants.errors import raise_if, refuse
from tenants.logins import TABLES, AccountKind, objects, token_tenant_id, update
from tenants.tokens import TokenPurpose, TokenSubject, consume_token, issue_token
from tenants.validation import check_email, normalise_email


@dataclass(frozen=True)
class EmailChange:
    account_id: int
    old_email: str
    new_email: str


def _encode(email: str) -> str:
    return base64.urlsafe_b64encode(email.encode("utf-8")).decode("ascii").rstrip("=")


def address_in(token: str) -> str | None:
    """The new address a change token carries (None when it carries none)."""
    _, dot, encoded = token.partition(".")
    if not dot or not encoded:
        return None
    try:
        return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None


async def _check_free(kind: AccountKind, account_id: int, email: str) -> None:
    raise_if(check_email("email", email))
    table = TABLES[kind]
    holder = await objects(kind).where(table.email == email).first()
    if holder is not None:  # another login's, or already this one's
        refuse("email", "tenants.email_taken")
    if await objects(kind).where(table.id == account_id).first() is None:
        refuse("account", "tenants.account_unknown")


async def start_email_change(
    kind: AccountKind, account_id: int, new_email: str, clock: Clock
) -> tuple[str, str]:
    """The token for the confirmation link and the normalised new address."""
    email = normalise_email(new_email)
    await _check_free(kind, account_id, email)
    subject = TokenSubject(kind.value, account_id, token_tenant_id(kind))
    token = await issue_token(TokenPurpose.CHANGE_EMAIL, subject, clock, bound=_encode(email))
    return token, email


async def confirm_email_change(kind: AccountKind, token: str, clock: Clock) -> EmailChange:
    """Spend the token and write the new address (verified now)."""
    email = address_in(token)
    if email is None:
        refuse("token", "tenants.token_invalid")
    subject = await consume_token(TokenPurpose.CHANGE_EMAIL, token, clock)
    if subject.account_kind != kind.value:
        refuse("token", "tenants.token_invalid")
    table = TABLES[kind]
    row = await objects(kind).where(table.id == subject.account_id).first()
    if row is None:
        refuse("token", "tenants.token_invalid")
    await _check_free(kind, subject.account_id, email)
    await update(
        kind, subject.account_id, {table.email: email, table.email_verified_at: clock.now()}
    )
    return EmailChange(subject.account_id, row.email, email)
