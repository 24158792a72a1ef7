"""The controllers ``web/areas.py`` mounts in the portal router."""

from __future__ import annotations

from web.portal_certificates.account import PortalAccountController
from web.portal_certificates.controllers import PortalCertificatesController

PORTAL_CERTIFICATE_CONTROLLERS: tuple[type, ...] = (
    PortalCertificatesController,
    PortalAccountController,
)
