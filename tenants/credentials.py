"""Secrets sealed at rest: the sealing primitive lives in ``core.sealing`` (webhook secrets and
one-time-token mails in core are sealed with it too); this module re-exports it for the tenant
side and adds ``mask``.

Rotating the secret key: deploy with the new key as current and the old one as previous, run
``reencrypt_all`` (in ``tenants.provider_accounts``), then drop the old key.
"""

from __future__ import annotations

from core.sealing import NONCE_BYTES, Keyring, Sealed, associated_data, derive_key

__all__ = ["NONCE_BYTES", "Keyring", "Sealed", "associated_data", "derive_key", "mask"]


def mask(secret: str) -> str:
    """``••••abcd`` for secrets of 8 characters or more, ``••••`` for shorter ones."""
    return "••••" + secret[-4:] if len(secret) >= 8 else "••••"
