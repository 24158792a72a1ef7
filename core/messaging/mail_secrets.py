"""Links with a one-time token travel sealed from the page that made them to the mail step.

Rule (issue 13, defect 3): no secret or one-time token in clear in any table, log or broker
message. A page that mails a token link (password reset and staff invitation, e-mail change)
records its outbox event with the link sealed under the deployment's keyring, tenant-bound,
in the payload's ``sealed`` object: ``{"sealed": {"reset_url": "<key id>:<base64>"}}``. The
mail step (``mail_events.mail_requests``, given the mailer's keyring) opens it just before
rendering; the clear link exists only in the message sent. A mail kind names its secret fields
(``MailKind.sealed``): a payload carrying one of them in clear is refused, so a new caller
cannot slip a token back into the outbox table. Events written before sealing existed are
sealed (undelivered) or stripped of their links (delivered) by ``seal_stored_events``, which the
messaging migration of 2026-12-08 runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from core.context import system_scope
from core.errors import ShomeiError
from core.messaging.events import MAIL_KINDS
from core.sealing import Keyring, associated_data
from core.tables import OutboxEvent

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


@dataclass(frozen=True)
class StoredEvents:
    """What ``seal_stored_events`` did to the outbox's mail events."""

    sealed: int
    """Undelivered events whose secret fields were in clear: now sealed, so they are still sent."""
    cleared: int
    """Delivered events whose secret fields were in clear: those fields removed."""


def _clear_secrets(event_type: str, payload: Mapping[str, Any]) -> dict[str, str]:
    kind = MAIL_KINDS.get(event_type)
    fields = kind.sealed if kind is not None else ()
    return {name: str(payload[name]) for name in fields if name in payload}


async def seal_stored_events(keyring: Callable[[], Keyring]) -> StoredEvents:
    """Across tenants, the outbox's mail events written before their links were sealed
    (``reset_url``, ``confirm_url``… in clear in the payload): an undelivered one gets them
    sealed under ``keyring()`` (asked for only when there is one), and one the mail step
    refused for them (``SecretInClear``) gets its attempts back, so the mail is sent with a
    working link; a delivered one loses them (the mail went out, the token stays nowhere).
    The secret fields are each mail kind's ``MailKind.sealed``."""
    event_types = [kind.event_type for kind in MAIL_KINDS.values() if kind.sealed]
    opened: Keyring | None = None
    sealed = cleared = 0
    with system_scope("seal mail secrets in the outbox"):
        rows = await (
            OutboxEvent.select(
                OutboxEvent.id,
                OutboxEvent.tenant_id,
                OutboxEvent.event_type,
                OutboxEvent.payload,
                OutboxEvent.delivered_at,
                OutboxEvent.last_error,
            )
            .where(OutboxEvent.event_type.is_in(event_types))
            .order_by(OutboxEvent.id)
            .output(load_json=True)
            .run()
        )
        for row in rows:
            payload: dict[str, Any] = dict(row["payload"] or {})
            clear = _clear_secrets(row["event_type"], payload)
            if not clear:
                continue
            kept = {name: value for name, value in payload.items() if name not in clear}
            values: dict[Any, Any] = {}
            if row["delivered_at"] is None:
                opened = opened or keyring()
                more = seal_fields(opened, row["tenant_id"], clear)
                kept[SEALED] = {**(kept.get(SEALED) or {}), **more}
                if row["last_error"].startswith(SecretInClear.__name__):
                    values = {OutboxEvent.attempts: 0, OutboxEvent.last_error: ""}
                sealed += 1
            else:
                cleared += 1
            await (
                OutboxEvent.update({OutboxEvent.payload: kept, **values})
                .where(OutboxEvent.id == row["id"])
                .run()
            )
    return StoredEvents(sealed, cleared)
