"""Reading a customer's CSR: refuse what no issuer should sign, describe what is left.

Accepted keys follow the CA/Browser Forum Baseline Requirements: RSA of at least 2048 bits,
or ECDSA on P-256 or P-384. The names depend on the certificate's ``profile``:

- ``server`` (TLS server, the default): domain names only. A SAN of another kind (an IP
  address, an e-mail address, a URI) is refused, never silently dropped, and the common name
  and every SAN dNSName must pass ``core.certificates.names`` (no IP address written as a DNS
  name, label syntax, wildcards, no internal names);
- ``client`` (a person or a terminal): e-mail and URI SANs are normal and kept
  (``email_addresses``, ``uris``); the common name need not be a host name; an IP address SAN
  is still refused, and any SAN dNSName must pass the same name rule.

Every refusal is a ``ValidationFailed`` on the field ``csr`` with a ``csr.*`` message id, so a
form or the API can show it in the customer's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.x509.oid import NameOID

from core.certificates.names import name_errors
from core.errors import FieldError, ValidationFailed

Profile = Literal["server", "client"]

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
    """What a checked CSR asks for. ``dns_names`` is, for a server certificate, the CN followed
    by the SAN dNSNames; for a client certificate the SAN dNSNames alone."""

    common_name: str | None
    dns_names: tuple[str, ...]
    key_description: str
    public_key: CertificatePublicKeyTypes = field(repr=False, compare=False)
    email_addresses: tuple[str, ...] = ()
    uris: tuple[str, ...] = ()


def parse_csr(csr_pem: str, profile: Profile = "server") -> CsrInfo:
    """Parse ``csr_pem`` and check its signature, key and names for a ``profile`` certificate;
    raise ``ValidationFailed`` if refused."""
    try:
        csr = x509.load_pem_x509_csr(csr_pem.encode("ascii"))
        common_name = _common_name(csr)
        san = _san(csr)
        san_names = [n.value for n in san if isinstance(n, x509.DNSName)]
        emails = [n.value for n in san if isinstance(n, x509.RFC822Name)]
        uris = [n.value for n in san if isinstance(n, x509.UniformResourceIdentifier)]
    except _UNREADABLE:
        raise _refused("csr.unreadable") from None
    if not csr.is_signature_valid:
        raise _refused("csr.bad_signature")
    public_key = csr.public_key()
    key_description = _check_key(public_key)
    kept = _CLIENT_SANS if profile == "client" else _SERVER_SANS
    others = [name for name in san if not isinstance(name, kept)]
    if others:  # an IP address (any profile), an e-mail or URI (a server certificate) …
        raise _refused("csr.name_not_dns", names=", ".join(str(n.value) for n in others))
    if profile == "client":
        names = dict.fromkeys(san_names)
    else:
        names = dict.fromkeys(([common_name] if common_name else []) + san_names)
    errors = name_errors(names)
    if errors:
        raise ValidationFailed(errors)
    return CsrInfo(
        common_name, tuple(names), key_description, public_key, tuple(emails), tuple(uris)
    )


_SERVER_SANS: tuple[type[x509.GeneralName], ...] = (x509.DNSName,)
_CLIENT_SANS: tuple[type[x509.GeneralName], ...] = (
    x509.DNSName,
    x509.RFC822Name,
    x509.UniformResourceIdentifier,
)


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
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _san(csr: x509.CertificateSigningRequest) -> list[x509.GeneralName]:
    try:
        return list(csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value)
    except x509.ExtensionNotFound:
        return []


def _refused(reason: str, **params: object) -> ValidationFailed:
    return ValidationFailed([FieldError("csr", reason, params)])
