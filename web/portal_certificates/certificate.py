"""The certificate an entitlement's data holds, and its downloads.

A provider that issues an X.509 certificate stores it in the entitlement's ``data`` as
``certificate_pem`` (the leaf) and ``chain_pem`` (intermediates, then the root), the names of
``core.contracts.issuers.IssuedCertificate``. Without ``certificate_pem`` the entitlement holds
no certificate yet (a voucher code, a pending application); its ``common_name`` and
``dns_names`` data, when the provider keeps them, are still shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, pkcs7
from cryptography.x509.oid import NameOID

PEM_FIELD = "certificate_pem"
CHAIN_FIELD = "chain_pem"


@dataclass(frozen=True)
class CertificateFacts:
    """What the portal and the mail show of an issued certificate."""

    common_name: str
    dns_names: tuple[str, ...]
    serial: str
    not_after: datetime
    certificate_pem: str
    chain_pem: str


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def certificate_facts(data: dict[str, Any]) -> CertificateFacts | None:
    """The certificate in ``data``, or None when there is none (or it cannot be read)."""
    pem = data.get(PEM_FIELD)
    if not isinstance(pem, str) or not pem.strip():
        return None
    try:
        certificate = x509.load_pem_x509_certificate(pem.encode("ascii"))
    except (ValueError, UnicodeError):
        return None
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    common_name = _text(names[0].value) if names else ""
    try:
        san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        dns = san.value.get_values_for_type(x509.DNSName)
    except x509.ExtensionNotFound:
        dns = []
    chain = data.get(CHAIN_FIELD)
    return CertificateFacts(
        common_name=common_name,
        dns_names=tuple(dict.fromkeys(([common_name] if common_name else []) + dns)),
        serial=format(certificate.serial_number, "X"),
        not_after=certificate.not_valid_after_utc,
        certificate_pem=pem.strip() + "\n",
        chain_pem=chain.strip() + "\n" if isinstance(chain, str) and chain.strip() else "",
    )


def names_of(data: dict[str, Any]) -> tuple[str, ...]:
    """The names an entitlement is for: the certificate's, else what the provider recorded."""
    facts = certificate_facts(data)
    if facts is not None:
        return facts.dns_names
    listed = data.get("dns_names")
    names = [str(n) for n in listed] if isinstance(listed, list) else []
    common = data.get("common_name")
    if isinstance(common, str) and common:
        names.insert(0, common)
    return tuple(dict.fromkeys(names))


def pem_with_chain(facts: CertificateFacts) -> bytes:
    """The leaf followed by its chain, as web servers take it."""
    return (facts.certificate_pem + facts.chain_pem).encode("ascii")


def pkcs7_bundle(facts: CertificateFacts) -> bytes:
    """The leaf and its chain as a DER PKCS#7 (``.p7b``), as Windows and Java take it."""
    certificates = x509.load_pem_x509_certificates(pem_with_chain(facts))
    return pkcs7.serialize_certificates(certificates, Encoding.DER)
