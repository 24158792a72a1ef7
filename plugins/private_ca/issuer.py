"""``PrivateCAIssuer``: the Issuer contract over a private CA of the tenant's own.

Each tenant gets one root CA and one intermediate on its first issuance (see ``signing`` for
the key choice); the private keys are stored sealed (see ``sealing``). Every query is scoped
to ``ctx.tenant.id``: a tenant can neither see nor revoke another tenant's certificates.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from datetime import datetime
from typing import Any, ClassVar

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from piccolo.columns.combination import Where

from core.certificates.csr import CsrInfo, parse_csr
from core.certificates.names import name_errors
from core.certificates.validity import server_validity_end, validity_end
from core.context import Context
from core.contracts.common import PluginAccount
from core.contracts.issuers import (
    CertificateRequest,
    IssuanceResult,
    IssuanceState,
    IssuedCertificate,
    RevocationReason,
)
from core.errors import FieldError, ShomeiError, ValidationFailed
from plugins.private_ca.sealing import KeySealer
from plugins.private_ca.signing import new_authority, random_serial, sign_leaf
from plugins.private_ca.tables import SignedCertificate, TenantCA

Row = dict[str, Any]


class PrivateCAError(ShomeiError):
    """Base of the private CA's refusals."""


class UnknownCertificate(PrivateCAError):
    """No certificate with this serial was issued by this tenant's CA."""

    def __init__(self, serial_hex: str) -> None:
        self.serial_hex = serial_hex
        super().__init__(f"no certificate with serial {serial_hex!r} for this tenant")


class AlreadyRevoked(PrivateCAError):
    """The certificate was revoked before; a revocation is recorded once and never undone."""

    def __init__(self, serial_hex: str) -> None:
        self.serial_hex = serial_hex
        super().__init__(f"certificate {serial_hex} is already revoked")


class IdempotencyKeyReused(PrivateCAError):
    """The idempotency key was already used for a different certificate request."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(f"idempotency key {key!r} was used for a different request")


class PrivateCAIssuer:
    """Issues real X.509 certificates at once from the tenant's private CA."""

    code: ClassVar[str] = "private_ca"

    def __init__(self, account: PluginAccount) -> None:
        self._sealer = KeySealer(account.secret_key)

    async def issue(self, ctx: Context, request: CertificateRequest) -> IssuanceResult:
        """Sign ``request``; the same ``ctx.idempotency_key`` returns the same certificate."""
        key = _idempotency_key(ctx)
        digest = _request_digest(request)
        row = await _certificate(ctx, SignedCertificate.idempotency_key == key)
        if row is None:
            await self._sign_and_store(ctx, request, key, digest)
            row = await _certificate(ctx, SignedCertificate.idempotency_key == key)
        assert row is not None  # stored above, or by a concurrent call with the same key
        if row["request_digest"] != digest:
            raise IdempotencyKeyReused(key)
        return _result(row, await _chain_pem(ctx))

    async def poll(self, ctx: Context, upstream_ref: str) -> IssuanceResult:
        """The stored result for ``upstream_ref``, which is the certificate's serial."""
        serial = _normalise_serial(upstream_ref)
        row = await _certificate(ctx, SignedCertificate.serial == serial)
        if row is None:
            raise UnknownCertificate(upstream_ref)
        return _result(row, await _chain_pem(ctx))

    async def revoke(self, ctx: Context, serial_hex: str, reason: RevocationReason) -> None:
        """Record the revocation once; a second one, or an unknown serial, is refused."""
        serial = _normalise_serial(serial_hex)
        reason = RevocationReason(reason)  # a plain string is checked against the contract's list
        cert = SignedCertificate
        revoked = (
            await cert.update({cert.revoked_at: ctx.clock.now(), cert.revocation_reason: reason})
            .where(_mine(ctx) & (cert.serial == serial) & cert.revoked_at.is_null())
            .returning(cert.id)
        )
        if revoked:
            return
        if await _certificate(ctx, cert.serial == serial) is None:
            raise UnknownCertificate(serial_hex)
        raise AlreadyRevoked(serial)

    async def _sign_and_store(
        self, ctx: Context, request: CertificateRequest, key: str, digest: str
    ) -> None:
        profile = "client" if request.profile == "client" else "server"
        csr = parse_csr(request.csr_pem, profile)
        common_name, dns_names = _names(request, csr)
        intermediate, intermediate_key = await self._signer(ctx)
        not_before = ctx.clock.now().replace(microsecond=0)
        not_after = min(_not_after(request, not_before), intermediate.not_valid_after_utc)
        serial = random_serial()
        certificate = sign_leaf(
            intermediate,
            intermediate_key,
            public_key=csr.public_key,
            common_name=common_name,
            organization=request.organization,
            dns_names=dns_names,
            email_addresses=csr.email_addresses if request.profile == "client" else (),
            profile=request.profile,
            serial=serial,
            not_before=not_before,
            not_after=not_after,
            signature_hash=request.signature_hash,
        )
        await SignedCertificate.insert(
            SignedCertificate(
                tenant_id=ctx.tenant.id,
                idempotency_key=key,
                request_digest=digest,
                serial=_serial_hex(serial),
                not_before=not_before,
                not_after=not_after,
                certificate_pem=_pem(certificate),
            )
        ).on_conflict(
            target=(SignedCertificate.tenant_id, SignedCertificate.idempotency_key),
            action="DO NOTHING",
        )

    async def _signer(self, ctx: Context) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
        """The tenant's intermediate and its opened key; the CA is created on first use."""
        row = await _authority_row(ctx)
        if row is None:
            await TenantCA.insert(self._new_authority_row(ctx)).on_conflict(
                target=TenantCA.tenant_id, action="DO NOTHING"
            )
            row = await _authority_row(ctx)  # ours, or a concurrent first writer's
        assert row is not None
        sealed = row["intermediate_key_sealed"]
        key = self._sealer.open(sealed, _label(ctx.tenant.id, "intermediate"))
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise TypeError("the private CA's intermediate key is not an ECDSA key")
        return x509.load_pem_x509_certificate(row["intermediate_certificate_pem"].encode()), key

    def _new_authority_row(self, ctx: Context) -> TenantCA:
        authority = new_authority(ctx.tenant.slug, ctx.clock.now().replace(microsecond=0))
        tenant = ctx.tenant.id
        return TenantCA(
            tenant_id=tenant,
            root_certificate_pem=_pem(authority.root),
            root_key_sealed=self._sealer.seal(authority.root_key, _label(tenant, "root")),
            intermediate_certificate_pem=_pem(authority.intermediate),
            intermediate_key_sealed=self._sealer.seal(
                authority.intermediate_key, _label(tenant, "intermediate")
            ),
            created_at=ctx.clock.now(),
        )


async def _authority_row(ctx: Context) -> Row | None:
    return await TenantCA.select().where(TenantCA.tenant_id == ctx.tenant.id).first()


async def _chain_pem(ctx: Context) -> str:
    """Intermediate then root: what a server sends after its own certificate."""
    row = await _authority_row(ctx)
    assert row is not None, "a certificate exists only under its tenant's CA"
    return row["intermediate_certificate_pem"] + row["root_certificate_pem"]


async def _certificate(ctx: Context, condition: Where) -> Row | None:
    return await SignedCertificate.select().where(_mine(ctx) & condition).first()


def _mine(ctx: Context) -> Where:
    return SignedCertificate.tenant_id == ctx.tenant.id


def _result(row: Row, chain_pem: str) -> IssuanceResult:
    certificate = IssuedCertificate(
        serial_hex=row["serial"],
        certificate_pem=row["certificate_pem"],
        chain_pem=chain_pem,
        not_before=row["not_before"],
        not_after=row["not_after"],
    )
    return IssuanceResult(
        state=IssuanceState.ISSUED, upstream_ref=row["serial"], certificate=certificate
    )


def _names(request: CertificateRequest, csr: CsrInfo) -> tuple[str | None, tuple[str, ...]]:
    """Subject CN and SAN dNSNames: the request's names, else the CSR's.

    A server certificate carries its CN among its SANs, and every one of them passes the name
    rule of ``core.certificates.names`` (the CSR's were checked by ``parse_csr``, the request's
    are checked here); a client certificate (a terminal, a person) has a CN that need not be a
    host name, and only the DNS names it was asked for (checked by the same rule); its e-mail
    SANs come from the CSR.
    """
    if request.profile == "client":
        common_name = request.common_name or csr.common_name
        dns_names = request.dns_names
    else:
        requested = [request.common_name, *request.dns_names]
        dns_names = tuple(dict.fromkeys(name for name in requested if name)) or csr.dns_names
        common_name = dns_names[0] if dns_names else None
    errors = name_errors(dns_names)
    if errors:
        raise ValidationFailed(errors)
    if not common_name:
        raise ValidationFailed([FieldError("csr", "csr.no_names")])
    return common_name, dns_names


def _not_after(request: CertificateRequest, not_before: datetime) -> datetime:
    """TLS server certificates follow the CA/Browser Forum cap; client certificates do not."""
    if request.profile == "server":
        return server_validity_end(not_before, request.validity_days)
    return validity_end(not_before, request.validity_days)


def _idempotency_key(ctx: Context) -> str:
    key = ctx.idempotency_key
    if not key or len(key) > SignedCertificate.idempotency_key.length:
        raise ValueError("issuing needs ctx.idempotency_key (1 to 255 characters)")
    return key


def _request_digest(request: CertificateRequest) -> str:
    canonical = json.dumps(asdict(request), sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _normalise_serial(serial_hex: str) -> str:
    """The stored spelling of a serial given in hex, with or without colons, in any case."""
    try:
        return _serial_hex(int(serial_hex.replace(":", ""), 16))
    except ValueError:
        raise UnknownCertificate(serial_hex) from None


def _serial_hex(serial: int) -> str:
    return f"{serial:032x}"


def _label(tenant_id: int, role: str) -> str:
    return f"tenant:{tenant_id}:{role}"


def _pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")
