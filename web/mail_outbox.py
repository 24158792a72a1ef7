"""Outgoing e-mail of the sign-in pages, written to the outbox for the mail worker to send.

The pages do not send mail themselves: they record an outbox event in the same transaction as
the change it reports (``core.outbox.record``), and the mail worker renders and delivers it in
the person's language. Event types and their payloads:

``auth.password_reset_requested``
    ``to``, ``display_name``, ``language``, ``account_kind``, ``account_id``, ``expires_at``
    (ISO 8601 UTC) and ``sealed.reset_url``: the link with the one-time token, sealed (issue 13:
    no token in clear in any table; ``core.messaging.mail_secrets``, opened by the mail step).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.context import Context
from core.messaging.mail_secrets import SEALED, seal_fields
from core.outbox import record
from core.sealing import Keyring
from tenants.tokens import token_digest

PASSWORD_RESET_REQUESTED = "auth.password_reset_requested"


@dataclass(frozen=True)
class PasswordResetMail:
    to: str
    display_name: str
    language: str
    account_kind: str
    account_id: int
    token: str
    reset_url: str
    expires_at: datetime


async def password_reset_requested(ctx: Context, keyring: Keyring, mail: PasswordResetMail) -> bool:
    """Record the reset e-mail, its link sealed; one event per token (a retried request
    records nothing new)."""
    return await record(
        ctx,
        "login",
        f"{mail.account_kind}:{mail.account_id}",
        PASSWORD_RESET_REQUESTED,
        {
            "to": mail.to,
            "display_name": mail.display_name,
            "language": mail.language,
            "account_kind": mail.account_kind,
            "account_id": mail.account_id,
            SEALED: seal_fields(keyring, ctx.tenant.id, {"reset_url": mail.reset_url}),
            "expires_at": mail.expires_at.isoformat(),
        },
        idempotency_key=f"{PASSWORD_RESET_REQUESTED}:{token_digest(mail.token)}",
    )
