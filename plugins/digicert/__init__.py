"""DigiCert CertCentral Partner-style provider: vouchers, redemptions and certificate orders.

``client`` is the upstream HTTP client, ``sandbox`` a sandbox upstream; ``vouchers``,
``redemption``, ``exports``, ``pdf`` and ``contracts`` are the services built on them, and
``api`` their routes under ``/api/v1/digicert``. See ``docs/digicert.md``.
"""

from __future__ import annotations

from typing import Any

from core.hookspecs import hookimpl
from core.i18n import load_catalogs


@hookimpl
def register_piccolo_apps() -> list[str]:
    return ["plugins.digicert.piccolo_app"]


@hookimpl
def register_translations() -> dict[str, dict[str, str]]:
    return load_catalogs("plugins.digicert")


@hookimpl
def register_routes() -> list[Any]:
    from plugins.digicert.api import digicert_router

    return [digicert_router()]
