"""A real tenant with a provider account of the test upstream provider, and a paid order: what
the fulfilment task tests (in-process and with worker processes) start from."""

from datetime import UTC, datetime

from core.clock import FrozenClock, SystemClock
from core.context import tenant_scope
from core.entitlements.deps import EntitlementDeps
from tenants.credentials import Keyring
from tenants.provider_accounts import save_account
from tests.core.entitlements import provider_plugin
from tests.core.entitlements.helpers import paid_order, registry
from tests.core.entitlements.upstream import API_KEY
from tests.tenants.helpers import active_tenant, staff_context
from workers.tasks.fulfilment import WorkerProviderAccounts


async def shop_with_paid_order(settings, upstream, quantity: int = 2, **config):
    """A real tenant whose provider account (sealed credentials) points at the upstream, and
    one paid order; returns (tenant, ctx, order id)."""
    clock = FrozenClock(datetime.now(UTC))  # the workers run on the real clock
    result, _ = await active_tenant(clock)
    tenant = result.tenant
    ctx = staff_context(tenant, result.owner_id, SystemClock())
    with tenant_scope(tenant):
        account = await save_account(
            ctx,
            Keyring.from_settings(settings),
            "provider",
            provider_plugin.CODE,
            {"url": upstream.url, "timeout": 5, **config},
            {"api_key": API_KEY},
        )
        deps = EntitlementDeps(registry(), WorkerProviderAccounts(settings))
        order_id = await paid_order(ctx, deps, quantity=quantity, account_id=account.id)
    return tenant, ctx, order_id
