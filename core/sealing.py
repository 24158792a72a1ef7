"""Secrets sealed at rest with AES-256-GCM, under keys derived from the deployment secret key.

Rule (issue 13, "no secret or one-time token in clear in any table, log or broker message"):
provider credentials, tenant webhook signing secrets, a second factor's pending password and
the links of one-time-token mails are kept only sealed. This module is the one sealing
primitive; ``tenants.credentials`` re-exports it for the tenant-side callers.

Each sealed value is stored with the id of the key that sealed it. A ``Keyring`` holds the
current key (new writes) and any previous ones (reads only), so rotating the secret key means:
deploy with the new key as current and the old one as previous, run ``reencrypt_all`` (in
``tenants.provider_accounts``), then drop the old key. The associated data names the tenant and
the purpose, so a ciphertext copied to another tenant's row does not open.

Wire format: ``base64(nonce (12 bytes) || ciphertext+tag)``; ``seal_text`` joins the key id
and that with a colon into one text column (``<key id>:<base64>``).
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from core.errors import ShomeiError
from core.settings import Settings

_INFO = b"shomei tenants credentials v1"
_SALT = b"shomei/tenants/credentials"
NONCE_BYTES = 12


class SealedUnreadable(ShomeiError):
    """A sealed value could not be opened: unknown key id, wrong tenant or tampering."""


def derive_key(secret_key: str) -> tuple[str, bytes]:
    """The AES key derived from a secret key with HKDF-SHA256, and its public key id."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=_INFO).derive(
        secret_key.encode("utf-8")
    )
    key_id = hashlib.sha256(b"shomei key id:" + key).hexdigest()[:12]
    return key_id, key


def derive_purpose_key(secret_key: str, purpose: str) -> bytes:
    """A 32-byte key for one other purpose (``purpose`` names it, e.g. the row-level security
    tenant tag), derived from the same secret key with HKDF-SHA256 under its own salt and info,
    so it is independent of the sealing key and of every other purpose's key."""
    label = purpose.encode("utf-8")
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"shomei/" + label, info=b"shomei " + label
    ).derive(secret_key.encode("utf-8"))


def associated_data(tenant_id: int, purpose: str) -> bytes:
    return f"shomei/{purpose}/tenant/{tenant_id}".encode()


@dataclass(frozen=True)
class Sealed:
    key_id: str
    ciphertext: str


class Keyring:
    """The current sealing key and the previous keys that may still be read."""

    def __init__(self, current_secret: str, previous_secrets: Iterable[str] = ()) -> None:
        self.current_id, current = derive_key(current_secret)
        self._keys = {self.current_id: current}
        for secret in previous_secrets:
            key_id, key = derive_key(secret)
            self._keys.setdefault(key_id, key)

    @classmethod
    def from_settings(cls, settings: Settings, previous_secrets: Iterable[str] = ()) -> Keyring:
        return cls(settings.secret_key, previous_secrets)

    @property
    def key_ids(self) -> tuple[str, ...]:
        return tuple(self._keys)

    def __repr__(self) -> str:
        return f"Keyring(current={self.current_id!r}, keys={len(self._keys)})"

    def seal(self, plaintext: bytes, aad: bytes) -> Sealed:
        nonce = os.urandom(NONCE_BYTES)
        body = AESGCM(self._keys[self.current_id]).encrypt(nonce, plaintext, aad)
        return Sealed(self.current_id, base64.b64encode(nonce + body).decode("ascii"))

    def open(self, sealed: Sealed, aad: bytes) -> bytes:
        key = self._keys.get(sealed.key_id)
        if key is None:
            raise SealedUnreadable(f"no key with id {sealed.key_id!r} in the keyring")
        try:
            raw = base64.b64decode(sealed.ciphertext.encode("ascii"), validate=True)
            return AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], aad)
        except (InvalidTag, ValueError) as exc:
            raise SealedUnreadable("sealed value does not open for this tenant") from exc

    def needs_reseal(self, key_id: str) -> bool:
        return key_id != self.current_id

    def seal_text(self, text: str, aad: bytes) -> str:
        """``text`` sealed into one column value, ``<key id>:<base64>``."""
        sealed = self.seal(text.encode("utf-8"), aad)
        return f"{sealed.key_id}:{sealed.ciphertext}"

    def open_text(self, value: str, aad: bytes) -> str:
        """The text ``seal_text`` sealed; ``SealedUnreadable`` when it does not open."""
        key_id, colon, ciphertext = value.partition(":")
        if not colon:
            raise SealedUnreadable("not a sealed value")
        return self.open(Sealed(key_id, ciphertext), aad).decode("utf-8")
