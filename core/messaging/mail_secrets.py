"""Links with a one-time token travel sealed from the page that made them to the mail step.

Rule (issue 13, defect 3): no secret or one-time token in clear in any table, log or broker
message. A page that mails a token link (password reset and staff invitation, e-mail change)
records its outbox event with the link sealed under the deployment's keyring, tenant-bound,
in the payload's ``sealed`` object: ``{"sealed": {"reset_url": "<key id>:<base64>"}}``. The
mail step (``mail_events.mail_requests``, given the mailer's keyring) opens it just before
rendering; the clear link exists only in the message sent. A mail kind names its secret fields
(``MailKind.sealed``): a payload carrying one of them in clear is refused, so a new caller
cannot slip a token back into the outbox table.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.errors import ShomeiError
from core.sealing import Keyring, associated_data

SEALED = "sealed"
PURPOSE = "mail-secret"


class SecretInClear(ShomeiError):
    """A mail event carries a secret field in clear (a programming error of its writer)."""


def seal_fields(keyring: Keyring, tenant_id: int, values: Mapping[str, str]) -> dict[str, str]:
    """The ``sealed`` object of a payload: each value sealed for ``tenant_id``."""
    aad = associated_data(tenant_id, PURPOSE)
    return {name: keyring.seal_text(value, aad) for name, value in values.items()}


def open_fields(
    keyring: Keyring | None, tenant_id: int, secret_fields: tuple[str, ...], data: dict[str, Any]
) -> dict[str, Any]:
    """``data`` with its ``sealed`` values opened into plain fields, for rendering only;
    ``SecretInClear`` when a field of ``secret_fields`` arrived in clear."""
    clear = [name for name in secret_fields if name in data]
    if clear:
        raise SecretInClear(f"secret fields in clear in a mail event: {', '.join(clear)}")
    sealed = data.pop(SEALED, None) or {}
    if not sealed:
        return data
    if keyring is None:
        raise SecretInClear("a sealed mail event reached a mailer without a keyring")
    aad = associated_data(tenant_id, PURPOSE)
    return {**data, **{name: keyring.open_text(value, aad) for name, value in sealed.items()}}
