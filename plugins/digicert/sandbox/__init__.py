"""A sandbox CertCentral upstream: the Services API v2 shape, real X.509 from a sandbox CA,
DCV by HTTP token or e-mail link, and failure injection. See ``docs/digicert.md``."""

from plugins.digicert.sandbox.app import create_sandbox_app, create_sandbox_router
from plugins.digicert.sandbox.config import SandboxConfig, SandboxProduct
from plugins.digicert.sandbox.upstream import Sandbox

__all__ = [
    "Sandbox",
    "SandboxConfig",
    "SandboxProduct",
    "create_sandbox_app",
    "create_sandbox_router",
]
