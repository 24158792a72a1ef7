"""Real X.509 for the portal tests: a small CA, CSRs and certificates signed by it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


@dataclass(frozen=True)
class Authority:
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    @property
    def pem(self) -> str:
        return self.certificate.public_bytes(Encoding.PEM).decode()


def make_authority(now: datetime) -> Authority:
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name("Portal Test CA"))
        .issuer_name(_name("Portal Test CA"))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256())
    )
    return Authority(key, certificate)


def make_csr(*names: str, rsa_bits: int = 2048) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=rsa_bits)
    builder = x509.CertificateSigningRequestBuilder().subject_name(_name(names[0]))
    builder = builder.add_extension(
        x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False
    )
    return builder.sign(key, hashes.SHA256()).public_bytes(Encoding.PEM).decode()


def sign(authority: Authority, csr_pem: str, not_before: datetime, days: int) -> str:
    """A leaf certificate for the CSR's key and names, valid ``days`` from ``not_before``."""
    csr = x509.load_pem_x509_csr(csr_pem.encode())
    san = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    certificate = (
        x509.CertificateBuilder()
        .subject_name(csr.subject)
        .issuer_name(authority.certificate.subject)
        .public_key(csr.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_before + timedelta(days=days))
        .add_extension(san, critical=False)
        .sign(authority.key, hashes.SHA256())
    )
    return certificate.public_bytes(Encoding.PEM).decode()
