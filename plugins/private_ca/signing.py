"""The X.509 work of the private CA, free of storage: make a CA pair, sign a leaf certificate.

CA keys are ECDSA P-256 signing with SHA-256: every TLS client of the last decade accepts
them, they are generated in microseconds (an RSA 2048 key takes tens to hundreds of
milliseconds, paid on the first order of every tenant), and they keep chains and handshakes
small. The customer's own key may still be RSA or ECDSA (see ``core.certificates.csr``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ROOT_VALIDITY = timedelta(days=20 * 365)
INTERMEDIATE_VALIDITY = timedelta(days=10 * 365)

PROFILE_USAGES = {
    "server": ExtendedKeyUsageOID.SERVER_AUTH,
    "client": ExtendedKeyUsageOID.CLIENT_AUTH,
}
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


@dataclass(frozen=True)
class Authority:
    """A root CA and the intermediate it signed; leaves are signed by the intermediate."""

    root: x509.Certificate
    root_key: ec.EllipticCurvePrivateKey
    intermediate: x509.Certificate
    intermediate_key: ec.EllipticCurvePrivateKey


def random_serial() -> int:
    """A positive serial number of 128 random bits (the Baseline Requirements ask for 64)."""
    return secrets.randbits(128) or 1


def new_authority(tenant_slug: str, now: datetime) -> Authority:
    """A fresh root (valid 20 years) and intermediate (10 years) for one tenant."""
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _name(f"{tenant_slug} Private Root CA", tenant_slug)
    root = _ca_certificate(
        root_name, root_key.public_key(), root_name, root_key, now, ROOT_VALIDITY, path_length=1
    )
    intermediate_key = ec.generate_private_key(ec.SECP256R1())
    intermediate = _ca_certificate(
        _name(f"{tenant_slug} Private Issuing CA", tenant_slug),
        intermediate_key.public_key(),
        root.subject,
        root_key,
        now,
        INTERMEDIATE_VALIDITY,
        path_length=0,
        issuer_certificate=root,
    )
    return Authority(root, root_key, intermediate, intermediate_key)


def sign_leaf(
    issuer: x509.Certificate,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    public_key: CertificatePublicKeyTypes,
    common_name: str | None,
    organization: str | None,
    dns_names: tuple[str, ...],
    profile: str,
    serial: int,
    not_before: datetime,
    not_after: datetime,
    signature_hash: str,
    email_addresses: tuple[str, ...] = (),
) -> x509.Certificate:
    """An end-entity certificate for ``public_key`` with ``profile``'s extended key usage;
    ``email_addresses`` (a client certificate's) join ``dns_names`` in the SAN."""
    usage = PROFILE_USAGES.get(profile)
    if usage is None:
        raise ValueError(f"unknown certificate profile {profile!r}")
    algorithm = _HASHES.get(signature_hash)
    if algorithm is None:
        raise ValueError(f"unsupported signature hash {signature_hash!r}")
    subject = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)] if common_name else []
    if organization:
        subject.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(subject))
        .issuer_name(issuer.subject)
        .public_key(public_key)
        .serial_number(serial)
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_leaf_key_usage(public_key), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(_authority_key_id(issuer), critical=False)
    )
    names: list[x509.GeneralName] = [x509.DNSName(name) for name in dns_names]
    names += [x509.RFC822Name(address) for address in email_addresses]
    if names:
        sans = x509.SubjectAlternativeName(names)
        builder = builder.add_extension(sans, critical=not subject)
    return builder.sign(issuer_key, algorithm())


def _name(common_name: str, organization: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
        ]
    )


def _ca_certificate(
    subject: x509.Name,
    public_key: ec.EllipticCurvePublicKey,
    issuer: x509.Name,
    issuer_key: ec.EllipticCurvePrivateKey,
    now: datetime,
    validity: timedelta,
    *,
    path_length: int,
    issuer_certificate: x509.Certificate | None = None,
) -> x509.Certificate:
    key_usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(random_serial())
        .not_valid_before(now)
        .not_valid_after(now + validity)
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(key_usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    if issuer_certificate is not None:
        builder = builder.add_extension(_authority_key_id(issuer_certificate), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _leaf_key_usage(public_key: CertificatePublicKeyTypes) -> x509.KeyUsage:
    """digitalSignature always; keyEncipherment only for RSA keys (RSA key transport)."""
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=isinstance(public_key, rsa.RSAPublicKey),
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


def _authority_key_id(issuer: x509.Certificate) -> x509.AuthorityKeyIdentifier:
    ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)
