"""Two active tenants, each with an API key, a provider account and a priced product."""

from __future__ import annotations

from dataclasses import dataclass

from core.catalog.products import save_product
from core.catalog.retail import set_retail_price
from core.context import tenant_scope
from core.contracts.common import Price, ProductSpec
from tenants.api_keys import SCOPES, create_api_key
from tenants.credentials import Keyring
from tenants.provider_accounts import save_account
from tests.core.orders.helpers import DigiTestProvider, TestPlugin
from tests.tenants.helpers import active_tenant, staff_context

__all__ = ["ApiTenant", "TestPlugin", "api_tenant"]


@dataclass(frozen=True)
class ApiTenant:
    tenant_id: int
    key: str
    product_id: int

    @property
    def headers(self) -> dict[str, str]:
        return {"X-API-Key": self.key}


async def api_tenant(settings, clock, scopes: tuple[str, ...] = SCOPES) -> ApiTenant:
    result, _ = await active_tenant(clock)
    ctx = staff_context(result.tenant, result.owner_id, clock)
    with tenant_scope(result.tenant):
        key = await create_api_key(ctx, "panel", list(scopes))
        account = await save_account(
            ctx, Keyring.from_settings(settings), "provider", DigiTestProvider.code, {}, {}
        )
        # the card payment method enabled: orders paid by card are accepted (an order's
        # payment method must be one the tenant has a payment account of)
        await save_account(ctx, Keyring.from_settings(settings), "payment", "card", {}, {})
        spec = ProductSpec(
            code="ssl-ov",
            name_ja="企業認証SSL",
            name_en="OV SSL",
            kind="ssl",
            validation="ov",
            terms_months=(12, 24),
            max_fqdns=250,
            max_wildcards=250,
        )
        product = await save_product(ctx, account.id, DigiTestProvider.code, spec)
        for term in product.terms_months:
            await set_retail_price(ctx, product.id, term, Price(10_000, 1_000, 5_000))
    return ApiTenant(result.tenant.id, key.key, product.id)
