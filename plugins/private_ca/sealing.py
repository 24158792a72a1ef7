"""CA private keys at rest: AES-256-GCM under a key derived by HKDF-SHA256 from the secret key.

A sealed key reads ``v1:<base64url(nonce || ciphertext)>``. Its label (tenant and role) is the
AES-GCM associated data, so a sealed key copied to another tenant's row does not open.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from core.errors import ConfigError

_VERSION = "v1"
_INFO = b"shomei/private_ca/ca-key-sealing/v1"
_NONCE_BYTES = 12


class KeySealer:
    """Seals and opens CA private keys with the key derived from ``secret_key``."""

    def __init__(self, secret_key: str) -> None:
        if not secret_key:
            raise ConfigError("SHOMEI_SECRET_KEY", "the private CA needs it to seal its keys")
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO)
        self._aead = AESGCM(derived.derive(secret_key.encode("utf-8")))

    def seal(self, key: PrivateKeyTypes, label: str) -> str:
        der = key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        nonce = os.urandom(_NONCE_BYTES)
        sealed = nonce + self._aead.encrypt(nonce, der, label.encode("utf-8"))
        return f"{_VERSION}:{base64.urlsafe_b64encode(sealed).decode('ascii')}"

    def open(self, sealed: str, label: str) -> PrivateKeyTypes:
        version, _, body = sealed.partition(":")
        if version != _VERSION:
            raise ValueError(f"unknown sealed key format {version!r}")
        raw = base64.urlsafe_b64decode(body)
        try:
            der = self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], label.encode("utf-8"))
        except InvalidTag:
            raise ConfigError(
                "SHOMEI_SECRET_KEY", "cannot open the private CA keys (was the secret key changed?)"
            ) from None
        return serialization.load_der_private_key(der, password=None)
