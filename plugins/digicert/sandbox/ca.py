"""The sandbox CA: a root and an intermediate (made by ``plugins.private_ca.signing``) that
sign real leaf certificates for the CSR's public key, capped by the CA/Browser Forum schedule
of ``core.certificates.validity``. Keys sit unencrypted in ``ca.json``: it is a sandbox."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs7

from core.certificates.csr import parse_csr
from core.certificates.validity import server_validity_end
from plugins.private_ca.signing import Authority, new_authority, random_serial, sign_leaf

CA_BACKDATE = timedelta(days=3 * 365)
"""The CA starts this long before the sandbox clock, so tests may move the clock back."""


@dataclass(frozen=True)
class SandboxCA:
    authority: Authority

    @classmethod
    def load_or_create(cls, state_dir: Path | None, name: str, now: datetime) -> SandboxCA:
        path = state_dir / "ca.json" if state_dir else None
        if path and path.exists():
            return cls(_load(json.loads(path.read_text("utf-8"))))
        ca = cls(new_authority(name, now - CA_BACKDATE))
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(_dump(ca.authority)), "utf-8")
        return ca

    @property
    def root_pem(self) -> str:
        return _pem(self.authority.root)

    @property
    def intermediate_pem(self) -> str:
        return _pem(self.authority.intermediate)

    def issue(
        self,
        *,
        csr_pem: str,
        common_name: str,
        dns_names: tuple[str, ...],
        organization: str | None,
        not_before: datetime,
        requested_days: int,
        signature_hash: str,
    ) -> x509.Certificate:
        """A server certificate valid ``requested_days`` cut to the cap of its issue date."""
        info = parse_csr(csr_pem)
        return sign_leaf(
            self.authority.intermediate,
            self.authority.intermediate_key,
            public_key=info.public_key,
            common_name=common_name,
            organization=organization,
            dns_names=dns_names,
            profile="server",
            serial=random_serial(),
            not_before=not_before,
            not_after=server_validity_end(not_before, requested_days),
            signature_hash=signature_hash,
        )

    def pem_bundle(self, leaf_pem: str, *, with_root: bool = True) -> str:
        parts = [leaf_pem, self.intermediate_pem] + ([self.root_pem] if with_root else [])
        return "".join(parts)

    def pkcs7(self, leaf_pem: str) -> bytes:
        leaf = x509.load_pem_x509_certificate(leaf_pem.encode("ascii"))
        chain = [leaf, self.authority.intermediate, self.authority.root]
        return pkcs7.serialize_certificates(chain, serialization.Encoding.PEM)


def _pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def _key_pem(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def _dump(authority: Authority) -> dict[str, str]:
    return {
        "root": _pem(authority.root),
        "root_key": _key_pem(authority.root_key),
        "intermediate": _pem(authority.intermediate),
        "intermediate_key": _key_pem(authority.intermediate_key),
    }


def _load(data: dict[str, str]) -> Authority:
    def key(name: str) -> ec.EllipticCurvePrivateKey:
        loaded = serialization.load_pem_private_key(data[name].encode("ascii"), None)
        assert isinstance(loaded, ec.EllipticCurvePrivateKey)
        return loaded

    return Authority(
        root=x509.load_pem_x509_certificate(data["root"].encode("ascii")),
        root_key=key("root_key"),
        intermediate=x509.load_pem_x509_certificate(data["intermediate"].encode("ascii")),
        intermediate_key=key("intermediate_key"),
    )
