"""Tenant webhook signing secrets, kept only sealed (``core.sealing``).

Rule (issue 13, defect 3): no secret in clear in any table. ``webhook_endpoint.secret`` holds
``<key id>:<base64>`` sealed under the deployment's keyring with the tenant and the purpose as
associated data, so a value copied to another tenant's row does not open. The tenant sees the
clear secret once, on the page answering the creation; the attempt task opens it to sign.

``reseal_stored_secrets`` seals every value still in clear (``whsec_…``, written before
sealing existed; the messaging migration of 2026-12-07 runs it) and reseals values sealed under
a previous key (after a rotation of the secret key, with the old key still in the keyring).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.context import system_scope
from core.messaging.tables import WebhookEndpoint
from core.sealing import Keyring, SealedUnreadable, associated_data

PURPOSE = "webhook-secret"
CLEAR_PREFIX = "whsec_"
"""Every generated secret starts so; base64 has no ``_``, so a sealed value never does."""


def seal_secret(keyring: Keyring, tenant_id: int, secret: str) -> str:
    return keyring.seal_text(secret, associated_data(tenant_id, PURPOSE))


def open_secret(keyring: Keyring, tenant_id: int, stored: str) -> str:
    """The clear secret of a stored value; ``SealedUnreadable`` when it does not open."""
    return keyring.open_text(stored, associated_data(tenant_id, PURPOSE))


@dataclass(frozen=True)
class Resealed:
    sealed: int
    """Values that were in clear or under a previous key, now sealed under the current key."""
    unreadable: tuple[int, ...]
    """Endpoint ids whose value opens under no key of the keyring (left as they are)."""


async def reseal_stored_secrets(keyring: Keyring) -> Resealed:
    """Across tenants: seal clear secrets and reseal those of previous keys (see the module)."""
    with system_scope("seal webhook secrets"):
        rows = await WebhookEndpoint.select(
            WebhookEndpoint.id, WebhookEndpoint.tenant_id, WebhookEndpoint.secret
        ).run()
        sealed, unreadable = 0, []
        for row in rows:
            stored: str = row["secret"]
            if stored.startswith(CLEAR_PREFIX):
                clear = stored
            elif not keyring.needs_reseal(stored.partition(":")[0]):
                continue
            else:
                try:
                    clear = open_secret(keyring, row["tenant_id"], stored)
                except SealedUnreadable:
                    unreadable.append(row["id"])
                    continue
            await (
                WebhookEndpoint.update(
                    {WebhookEndpoint.secret: seal_secret(keyring, row["tenant_id"], clear)}
                )
                .where((WebhookEndpoint.id == row["id"]) & (WebhookEndpoint.secret == stored))
                .run()
            )
            sealed += 1
    return Resealed(sealed, tuple(unreadable))
