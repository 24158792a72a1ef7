"""Paid orders of the test upstream provider, and the dependencies the services take."""

from __future__ import annotations

import secrets

from core.catalog.retail import set_retail_price
from core.context import Context
from core.contracts.common import PluginAccount, Price
from core.contracts.payments import PaymentOutcome, PaymentState
from core.entitlements.deps import EntitlementDeps
from core.entitlements.tables import Entitlement
from core.money import Rounding
from core.orders.deps import OrderDeps
from core.orders.lifecycle import transition
from core.orders.lines import LineInput
from core.orders.placing import OrderRequest, create_order
from core.orders.providers import ProviderGate
from core.orders.states import OrderState
from core.orders.totals import TaxPolicy
from core.payments.ledger import apply_outcome
from core.plugins import Registry, build_plugin_manager
from core.tables import OutboxEvent
from tests.core.catalog.helpers import make_product
from tests.core.entitlements import provider_plugin
from tests.core.entitlements.upstream import API_KEY, LoopbackUpstream

CUSTOMER = 7


def registry() -> Registry:
    pm = build_plugin_manager(load_entrypoints=False, extra=[provider_plugin])
    return Registry(pm)


class StaticAccounts:
    """Every provider account points at the test upstream (tenants need no account rows)."""

    def __init__(self, upstream: LoopbackUpstream, **config: object) -> None:
        self.config = {"url": upstream.url, "timeout": 2, **config}

    async def plugin_account(self, ctx: Context, provider_account_id: int) -> PluginAccount:
        return PluginAccount(config=dict(self.config), credentials={"api_key": API_KEY})


def make_deps(upstream: LoopbackUpstream, lease: int = 360, **config: object) -> EntitlementDeps:
    return EntitlementDeps(registry(), StaticAccounts(upstream, **config), lease_seconds=lease)


async def paid_order(
    ctx: Context,
    deps: EntitlementDeps,
    quantity: int = 2,
    lines: int = 1,
    account_id: int = 1,
    payment_method: str = "card",
    customer_id: int = CUSTOMER,
) -> int:
    """An order of ``lines`` lines of ``quantity`` codes each, paid in full (order.paid)."""
    product = await make_product(
        ctx,
        code=f"voucher-{secrets.token_hex(3)}",
        account_id=account_id,
        provider_code=provider_plugin.CODE,
        terms=(12,),
    )
    await set_retail_price(ctx, product.id, 12, Price(10_000))
    request = OrderRequest(
        payment_method,
        tuple(LineInput(product.id, quantity=quantity) for _ in range(lines)),
        customer_id=customer_id,
    )
    order_deps = OrderDeps(ProviderGate(deps.registry, deps.accounts), TaxPolicy(Rounding.DOWN))
    order = await create_order(ctx, request, order_deps)
    await transition(ctx, order.id, OrderState.AWAITING_PAYMENT)
    outcome = PaymentOutcome(
        PaymentState.SUCCEEDED, f"pi_{order.id}", "order", order.id, order.total
    )
    await apply_outcome(ctx, outcome, payment_method)
    return order.id


async def events(ctx: Context, event_type: str) -> list[dict]:
    rows = await (
        OutboxEvent.select()
        .where((OutboxEvent.tenant_id == ctx.tenant.id) & (OutboxEvent.event_type == event_type))
        .order_by(OutboxEvent.id)
        .output(load_json=True)
        .run()
    )
    return rows


async def order_entitlements(ctx: Context, order_id: int) -> list[dict]:
    return await (
        Entitlement.select()
        .where((Entitlement.tenant_id == ctx.tenant.id) & (Entitlement.order_id == order_id))
        .order_by(Entitlement.id)
        .output(load_json=True)
        .run()
    )
