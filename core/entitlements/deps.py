"""What the entitlement services need besides the context: providers built per account."""

from __future__ import annotations

from dataclasses import dataclass

from core.context import Context
from core.contracts.providers import Provider
from core.entitlements.backoff import FIRST_DELAY
from core.orders.providers import ProviderAccounts
from core.plugins import Registry

DEFAULT_LEASE_SECONDS = 360
"""How long a fulfilment or a poll may hold its work: longer than the task time limit, so a
live task is never overtaken, and short enough that a dead worker's work is soon taken over."""


@dataclass(frozen=True)
class EntitlementDeps:
    """The Registry (classes by code) and the tenant's provider accounts (config, credentials).
    The worker builds it from its settings; tests build it with their own plugins."""

    registry: Registry
    accounts: ProviderAccounts
    lease_seconds: int = DEFAULT_LEASE_SECONDS
    retry_first_delay: int = FIRST_DELAY

    async def provider(self, ctx: Context, provider_code: str, account_id: int | None) -> Provider:
        """The provider object for one provider account: ``cls(PluginAccount)``, as at checkout
        (``core.orders.providers.ProviderGate``)."""
        if account_id is None:
            raise LookupError(f"no provider account for provider {provider_code!r}")
        cls = self.registry.provider(provider_code)
        return cls(await self.accounts.plugin_account(ctx, account_id))
