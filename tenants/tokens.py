"""Single-use, expiring tokens for e-mail verification and password reset.

The token is shown once (in the e-mail link); only its SHA-256 is stored. Consuming is one
conditional UPDATE (unused and unexpired, by the caller's clock), so two concurrent attempts
cannot both succeed. A staff or customer token only works inside its own tenant's scope.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from core.clock import Clock
from core.context import current_tenant
from tenants.errors import refuse
from tenants.tables import OneTimeToken


class TokenPurpose(StrEnum):
    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"
    CHANGE_EMAIL = "change_email"


LIFETIMES: dict[TokenPurpose, timedelta] = {
    TokenPurpose.VERIFY_EMAIL: timedelta(hours=48),
    TokenPurpose.RESET_PASSWORD: timedelta(hours=1),
    TokenPurpose.CHANGE_EMAIL: timedelta(hours=24),
}


@dataclass(frozen=True)
class TokenSubject:
    """Whose token it was: the login kind and id, and its tenant (None for operators)."""

    account_kind: str
    account_id: int
    tenant_id: int | None


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def issue_token(
    purpose: TokenPurpose, subject: TokenSubject, clock: Clock, *, bound: str = ""
) -> str:
    """A new token for ``subject``; the clear text is returned once and never stored.
    ``bound`` (URL-safe text, e.g. a new e-mail address encoded) becomes part of the token
    after a dot, so it is covered by the stored digest: changing it makes the token unknown."""
    token = secrets.token_urlsafe(32) + (f".{bound}" if bound else "")
    now = clock.now()
    await OneTimeToken(
        tenant_id=subject.tenant_id,
        purpose=purpose.value,
        account_kind=subject.account_kind,
        account_id=subject.account_id,
        token_hash=token_digest(token),
        expires_at=now + LIFETIMES[purpose],
        created_at=now,
    ).save()
    return token


async def consume_token(purpose: TokenPurpose, token: str, clock: Clock) -> TokenSubject:
    """Mark the token used and say whose it was; refused when unknown, used or expired."""
    digest = token_digest(token)
    now = clock.now()
    found = (
        await OneTimeToken.objects()
        .where((OneTimeToken.token_hash == digest) & (OneTimeToken.purpose == purpose.value))
        .first()
    )
    if found is None or not _in_scope(found.tenant_id):
        refuse("token", "tenants.token_invalid")
    if found.used_at is not None:
        refuse("token", "tenants.token_used")
    if found.expires_at <= now:
        refuse("token", "tenants.token_expired")
    claimed = (
        await OneTimeToken.update({OneTimeToken.used_at: now})
        .where(
            (OneTimeToken.id == found.id)
            & OneTimeToken.used_at.is_null()
            & (OneTimeToken.expires_at > now)
        )
        .returning(OneTimeToken.id)
    )
    if not claimed:  # another request consumed it between our read and our update
        refuse("token", "tenants.token_used")
    return TokenSubject(found.account_kind, found.account_id, found.tenant_id)


def _in_scope(tenant_id: int | None) -> bool:
    ambient = current_tenant()
    if tenant_id is None:
        return ambient is None
    return ambient is not None and ambient.id == tenant_id
