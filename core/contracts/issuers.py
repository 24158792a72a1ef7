"""The Issuer contract: whoever produces the X.509 certificate itself.

An upstream CA API, the built-in private CA, or a person uploading the certificate by hand.
A provider chooses an issuer; the issuer never decides business rules such as who may reissue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import ClassVar, Protocol, runtime_checkable

from core.context import Context


class IssuanceState(StrEnum):
    PENDING = "pending"
    ISSUED = "issued"
    REJECTED = "rejected"


class RevocationReason(StrEnum):
    """RFC 5280 reasons, covering the seeds' choices.

    内容変更, 証明書切替, サービス終了, 鍵危殆化 map to these values.
    """

    UNSPECIFIED = "unspecified"
    KEY_COMPROMISE = "key_compromise"
    AFFILIATION_CHANGED = "affiliation_changed"
    SUPERSEDED = "superseded"
    CESSATION_OF_OPERATION = "cessation_of_operation"


@dataclass(frozen=True)
class CertificateRequest:
    """A CSR and the names the certificate must carry, within the product's limits."""

    csr_pem: str
    common_name: str
    dns_names: tuple[str, ...]
    validity_days: int
    profile: str = "server"
    organization: str | None = None
    signature_hash: str = "sha256"


@dataclass(frozen=True)
class IssuedCertificate:
    serial_hex: str
    certificate_pem: str
    chain_pem: str
    not_before: datetime
    not_after: datetime


@dataclass(frozen=True)
class IssuanceResult:
    state: IssuanceState
    upstream_ref: str | None = None
    certificate: IssuedCertificate | None = None
    poll_after: int | None = None
    reason: str | None = None


@runtime_checkable
class Issuer(Protocol):
    code: ClassVar[str]

    async def issue(self, ctx: Context, request: CertificateRequest) -> IssuanceResult:
        """Submit a request; issued at once or pending with an upstream reference to poll."""
        ...

    async def poll(self, ctx: Context, upstream_ref: str) -> IssuanceResult: ...

    async def revoke(self, ctx: Context, serial_hex: str, reason: RevocationReason) -> None:
        """Revoke for good; a revocation is never undone."""
        ...
