"""Local stand-ins of upstreams that ``shomei up`` runs next to the embedded deployment.

A plugin returns ``EmbeddedService``s from ``register_embedded_services`` (the DigiCert plugin
its CertCentral sandbox, the card plugin localstripe when it is installed). ``shomei up`` starts
each as a child process on a free loopback port before seeding the demo, waits until the port
accepts connections, and sets the variables ``environment`` names for itself and every child
(``SHOMEI_STRIPE_API_BASE``…), so the demo talks to them instead of the real upstreams. A
service whose variables the environment already sets is not started (the operator chose).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


def _always() -> bool:
    return True


@dataclass(frozen=True)
class EmbeddedService:
    name: str
    command: Callable[[int, Path], list[str]]
    """The child's argv, given its loopback port and the deployment's var folder."""
    environment: Callable[[str], dict[str, str]]
    """The settings pointing shomei at it, given its base URL ``http://127.0.0.1:<port>``."""
    available: Callable[[], bool] = _always
    """False when it cannot run here (an optional package is missing): then it is skipped."""
