"""Reading a customer's CSR: refuse what no issuer should sign, describe what is left.

Accepted keys follow the CA/Browser Forum Baseline Requirements: RSA of at least 2048 bits,
or ECDSA on P-256 or P-384. The names are domain names only: a SAN of another kind (an IP
address, an e-mail address, a URI) or an IP address as the common name is refused, never
silently dropped. Every refusal is a ``ValidationFailed`` on the field ``csr`` with a
``csr.*`` message id, so a form or the API can show it in the customer's language.
"""

from __future__ import annotations

import contextlib
import ipaddress
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.x509.oid import NameOID

from core.errors import FieldError, ValidationFailed

MIN_RSA_BITS = 2048
ALLOWED_CURVES = {"secp256r1": "P-256", "secp384r1": "P-384"}
_UNREADABLE = (
    ValueError,
    UnicodeError,
    TypeError,
    x509.DuplicateExtension,
    x509.UnsupportedGeneralNameType,
)


@dataclass(frozen=True)
class CsrInfo:
    """What a checked CSR asks for. ``dns_names`` is the CN followed by the SAN dNSNames."""

    common_name: str | None
    dns_names: tuple[str, ...]
    key_description: str
    public_key: CertificatePublicKeyTypes = field(repr=False, compare=False)


def parse_csr(csr_pem: str) -> CsrInfo:
    """Parse ``csr_pem`` and check its signature and key; raise ``ValidationFailed`` if refused."""
    try:
        csr = x509.load_pem_x509_csr(csr_pem.encode("ascii"))
        common_name = _common_name(csr)
        san_names = _san_dns_names(csr)
    except _UNREADABLE:
        raise _refused("csr.unreadable") from None
    if not csr.is_signature_valid:
        raise _refused("csr.bad_signature")
    public_key = csr.public_key()
    key_description = _check_key(public_key)
    names = dict.fromkeys(([common_name] if common_name else []) + san_names)
    return CsrInfo(common_name, tuple(names), key_description, public_key)


def _check_key(key: CertificatePublicKeyTypes) -> str:
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < MIN_RSA_BITS:
            raise _refused("csr.rsa_key_too_small", bits=key.key_size, minimum=MIN_RSA_BITS)
        return f"RSA {key.key_size}"
    if isinstance(key, ec.EllipticCurvePublicKey):
        curve = ALLOWED_CURVES.get(key.curve.name)
        if curve is None:
            raise _refused("csr.curve_not_allowed", curve=key.curve.name)
        return f"ECDSA {curve}"
    raise _refused("csr.key_type_not_allowed", key_type=type(key).__name__)


def _common_name(csr: x509.CertificateSigningRequest) -> str | None:
    attributes = csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if not attributes:
        return None
    value = attributes[0].value
    text = value.decode("utf-8") if isinstance(value, bytes) else value
    with contextlib.suppress(ValueError):
        ipaddress.ip_address(text)
        raise _refused("csr.name_not_dns", names=text)
    return text


def _san_dns_names(csr: x509.CertificateSigningRequest) -> list[str]:
    try:
        san = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return []
    others = [name for name in san.value if not isinstance(name, x509.DNSName)]
    if others:  # an IP address, e-mail, URI …: a certificate for a domain names domains only
        raise _refused("csr.name_not_dns", names=", ".join(str(n.value) for n in others))
    return san.value.get_values_for_type(x509.DNSName)


def _refused(reason: str, **params: object) -> ValidationFailed:
    return ValidationFailed([FieldError("csr", reason, params)])
