"""What the web process builds once at start and every handler may use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jinja2
import pluggy
from celery import Celery

from core.clock import Clock
from core.egress import Egress
from core.messaging.webhooks import WebhookGuard
from core.plugins import Registry
from core.settings import Settings
from web.ratelimit import RateLimiter
from web.throttle import LoginThrottle


@dataclass(frozen=True)
class WebState:
    settings: Settings
    pm: pluggy.PluginManager
    registry: Registry
    celery: Celery
    pages: jinja2.Environment
    catalogs: dict[str, dict[str, str]]
    clock: Clock
    rate_limiter: RateLimiter
    login_throttle: LoginThrottle
    webhooks: WebhookGuard
    """Seals endpoint secrets and checks endpoint addresses (``core.egress``)."""

    @property
    def egress(self) -> Egress:
        """Where a URL a tenant sets may be reached: webhooks' rule, for every such URL."""
        return self.webhooks.egress

    def extra(self) -> dict[str, Any]:
        return {"public_url": self.settings.public_url}
