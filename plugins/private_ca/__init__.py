"""The built-in private CA: real X.509 certificates signed by a CA of the tenant's own."""

from __future__ import annotations

from core.hookspecs import hookimpl
from plugins.private_ca.issuer import PrivateCAIssuer


@hookimpl
def register_issuers() -> list[type]:
    return [PrivateCAIssuer]


@hookimpl
def register_piccolo_apps() -> list[str]:
    return ["plugins.private_ca.piccolo_app"]
