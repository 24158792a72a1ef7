"""What a sandbox upstream is configured with: key, products, where DCV tokens are fetched."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SandboxProduct:
    name: str
    validation: str
    price_per_year: int
    price_per_extra_fqdn: int
    price_per_wildcard: int


DEFAULT_PRODUCTS: dict[str, SandboxProduct] = {
    "ssl_basic": SandboxProduct("Basic OV", "ov", 17_600, 26_400, 93_120),
    "ssl_ev_basic": SandboxProduct("Basic EV", "ev", 33_760, 58_400, 0),
    "ssl_securesite_flex": SandboxProduct("Secure Site OV", "ov", 110_400, 60_000, 200_000),
    "ssl_ev_securesite_flex": SandboxProduct("Secure Site EV", "ev", 162_000, 90_000, 0),
    "ssl_dv_geotrust": SandboxProduct("GeoTrust Standard DV", "dv", 9_440, 15_600, 83_280),
}


def _no_resolution(host: str) -> str:
    return host


@dataclass(frozen=True)
class SandboxConfig:
    """``resolve`` maps a domain to the address the DCV fetch connects to (there is no DNS in
    tests: map ``*.test`` names to 127.0.0.1); the request still carries ``Host: <domain>``.
    ``dcv_port`` None means the scheme's default port. ``billing_contact_complete`` False
    makes voucher orders fail as CertCentral does when 事務担当者 is incomplete."""

    api_key: str = "sandbox-devkey"
    products: dict[str, SandboxProduct] = field(default_factory=lambda: dict(DEFAULT_PRODUCTS))
    dcv_scheme: str = "http"
    dcv_port: int | None = None
    dcv_timeout: float = 5.0
    resolve: Callable[[str], str] = _no_resolution
    redeem_base_url: str = "https://www.digicert.com"
    auto_approve_revocations: bool = True
    billing_contact_complete: bool = True
    ca_name: str = "DigiCert Sandbox"
    rng: random.Random = field(default_factory=random.SystemRandom)
