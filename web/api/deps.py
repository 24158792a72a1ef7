"""Dependency providers of the API: the context and the order engine's collaborators."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import NamedDependency

from core.context import Context
from core.contracts.common import PluginAccount
from core.egress import Egress
from core.money import Rounding
from core.orders.deps import OrderDeps
from core.orders.providers import ProviderGate
from core.orders.totals import TaxPolicy
from tenants.credentials import Keyring
from tenants.customers import TenantCustomers
from tenants.payment_methods import TenantPaymentMethods
from tenants.provider_accounts import plugin_account_by_id
from tenants.tenant_settings import get_settings as tenant_settings
from web.api.auth import principal


def provide_ctx(request: Request[Any, Any, Any]) -> Context:
    """The request's context: its key's tenant and actor, the app's clock, the client's key."""
    found = principal(request)
    client = request.client.host if request.client else None
    return Context(
        tenant=found.tenant,
        actor=found.actor(client),
        clock=request.app.state.web.clock,
        idempotency_key=request.headers.get("idempotency-key", ""),
    )


class TenantProviderAccounts:
    """The order engine's view of a tenant's provider accounts (credentials opened on demand)."""

    def __init__(
        self, keyring: Keyring, secret_key: str, public_url: str, egress: Egress | None = None
    ) -> None:
        self.keyring, self.secret_key, self.public_url = keyring, secret_key, public_url
        self.egress = egress

    async def plugin_account(self, ctx: Context, provider_account_id: int) -> PluginAccount:
        return await plugin_account_by_id(
            ctx, self.keyring, provider_account_id, self.secret_key, self.public_url, self.egress
        )


async def provide_order_deps(
    request: Request[Any, Any, Any], ctx: NamedDependency[Context]
) -> OrderDeps:
    web = request.app.state.web
    settings = await tenant_settings(ctx)
    accounts = TenantProviderAccounts(
        Keyring.from_settings(web.settings), web.settings.secret_key, web.settings.public_url,
        web.egress,
    )  # fmt: skip
    return OrderDeps(
        gate=ProviderGate(web.registry, accounts),
        tax=TaxPolicy(rounding=Rounding(settings.tax_rounding)),
        payment_methods=TenantPaymentMethods(web.registry),
        customers=TenantCustomers(),
    )
