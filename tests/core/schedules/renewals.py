"""Renewable terms of the ``test_term`` provider, and the engine's dependencies for them."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from core.catalog.retail import set_retail_price
from core.context import Context
from core.contracts.common import PluginAccount, Price
from core.entitlements.deps import EntitlementDeps
from core.entitlements.fulfilment import fulfil_order
from core.money import Rounding
from core.orders.deps import OrderDeps
from core.orders.providers import ProviderGate
from core.orders.tables import Order
from core.orders.totals import TaxPolicy
from core.plugins import Registry, build_plugin_manager
from core.schedules.renewal_orders import OrderDepsFactory
from tenants.credentials import Keyring
from tenants.provider_accounts import save_account
from tests.core.catalog.helpers import make_product
from tests.core.schedules import term_provider
from tests.core.schedules.helpers import add_entitlement

ACCOUNT = 1


class StaticAccounts:
    async def plugin_account(self, ctx: Context, provider_account_id: int) -> PluginAccount:
        return PluginAccount()


def registry() -> Registry:
    return Registry(build_plugin_manager(load_entrypoints=False, extra=[term_provider]))


def order_deps() -> OrderDepsFactory:
    deps = OrderDeps(ProviderGate(registry(), StaticAccounts()), TaxPolicy(Rounding.DOWN))

    async def factory(ctx: Context) -> OrderDeps:
        return deps

    return factory


def entitlement_deps() -> EntitlementDeps:
    return EntitlementDeps(registry(), StaticAccounts())


async def renewable_term(
    ctx: Context,
    customer: int,
    method: str,
    price: int,
    expires_at: datetime,
    renewal_day: int | None = None,
    **data: Any,
) -> tuple[int, int]:
    """A product of ``test_term`` at ``price`` (tax-exclusive, 12 months) and an active term
    of it with automatic renewal by ``method``: (product id, entitlement id)."""
    product = await make_product(
        ctx,
        code=f"SRV-{secrets.token_hex(3)}",
        account_id=ACCOUNT,
        provider_code=term_provider.CODE,
        terms=(12,),
    )
    await set_retail_price(ctx, product.id, 12, Price(price))
    ent = await add_entitlement(
        ctx,
        customer,
        state="active",
        auto_renew=True,
        payment_method=method,
        renewal_day=renewal_day,
        provider_code=term_provider.CODE,
        provider_account_id=ACCOUNT,
        product_code=product.code,
        expires_at=expires_at,
        data={"common_name": "server-a", **data},
    )
    return product.id, ent


async def fulfil_paid_orders(ctx: Context, deps: EntitlementDeps) -> list[int]:
    """What the ``order.paid`` handler and the fulfil task do, in-process: every paid order
    of the tenant is fulfilled; returns their ids."""
    rows = await Order.select(Order.id).where(
        (Order.tenant_id == ctx.tenant.id) & (Order.state == "paid")
    )
    for row in rows:
        await fulfil_order(ctx, row["id"], deps)
    return [row["id"] for row in rows]


DEBIT_ACCOUNT = {
    "consignor_code": "1234567890",
    "consignor_name_kana": "ショウメイホスティング",
    "bank_code": "0009",
    "bank_name_kana": "ミツイスミトモ",
    "branch_code": "879",
    "branch_name_kana": "ツバキ",
    "account_type": "2",
    "account_number": "0249302",
}


async def monthly_plan(
    ctx: Context, keyring: Keyring, customer: int, fee: int, issued_at: datetime
) -> int:
    """The tenant's direct-debit account, a one-month product at ``fee`` (tax-exclusive) and
    an active plan of it paid by direct debit since ``issued_at``: the plan's id."""
    await save_account(ctx, keyring, "payment", "direct_debit", DEBIT_ACCOUNT)
    product = await make_product(
        ctx,
        code=f"PLAN-{secrets.token_hex(3)}",
        account_id=ACCOUNT,
        provider_code=term_provider.CODE,
        terms=(1,),
    )
    await set_retail_price(ctx, product.id, 1, Price(fee))
    return await add_entitlement(
        ctx,
        customer,
        state="active",
        payment_method="direct_debit",
        provider_code=term_provider.CODE,
        provider_account_id=ACCOUNT,
        product_code=product.code,
        issued_at=issued_at,
        expires_at=None,
        data={"plan": "monthly", "quota": 5},
    )
