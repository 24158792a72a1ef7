"""A DigiCert-style test provider plugin and the dependencies order services take."""

from __future__ import annotations

from typing import Any

from core.catalog.retail import set_retail_price
from core.context import Context
from core.contracts.common import PluginAccount, Price, ProductSpec
from core.contracts.providers import LineRequest
from core.errors import FieldError
from core.hookspecs import hookimpl
from core.money import Rounding
from core.orders.deps import OrderDeps
from core.orders.providers import ProviderGate
from core.orders.totals import TaxPolicy
from core.plugins import Registry, build_plugin_manager
from tests.core.catalog.helpers import make_product


class DigiTestProvider:
    """Voucher limits of seed 000: quantity 1-1000, FQDNs and wildcards 0-250, 1-6 years."""

    code = "test_digi"
    config_fields = ()

    def __init__(self, account: PluginAccount) -> None:
        self.account = account

    async def products(self, ctx: Context, config: dict[str, Any]) -> list[ProductSpec]:
        return []

    async def validate_line(self, ctx: Context, line: LineRequest) -> list[FieldError]:
        errors = []
        if not 1 <= line.quantity <= 1000:
            errors.append(FieldError("quantity", "test_digi.quantity_range"))
        for name in ("fqdns", "wildcards"):
            if not 0 <= getattr(line, name) <= 250:
                errors.append(FieldError(name, f"test_digi.{name}_range"))
        if line.term_months % 12 or not 1 <= line.term_months // 12 <= 6:
            errors.append(FieldError("term_months", "test_digi.years_range"))
        return errors


class TestPlugin:
    @hookimpl
    def register_providers(self) -> list[type]:
        return [DigiTestProvider]


class Accounts:
    async def plugin_account(self, ctx: Context, provider_account_id: int) -> PluginAccount:
        return PluginAccount(config={"account": provider_account_id})


def make_deps(rounding: Rounding = Rounding.DOWN) -> OrderDeps:
    pm = build_plugin_manager(load_entrypoints=False, extra=[TestPlugin()])
    return OrderDeps(gate=ProviderGate(Registry(pm), Accounts()), tax=TaxPolicy(rounding))


async def priced_product(ctx: Context, base: int, code: str = "ssl-ov", **price: int) -> int:
    """A product of the test provider with one explicit retail price for every term."""
    product = await make_product(ctx, code=code, terms=(6, 12, 24, 72))
    for term in product.terms_months:
        await set_retail_price(ctx, product.id, term, Price(base, **price))
    return product.id
