"""An API tenant with payment accounts enabled, for the wallet and payment-setting API tests."""

from __future__ import annotations

from dataclasses import dataclass

from core.clock import FrozenClock
from core.context import Actor, Context, system_scope, tenant_scope
from tenants.credentials import Keyring
from tenants.customers import create_customer
from tenants.onboarding import tenant_ref
from tenants.provider_accounts import save_account
from tenants.tables import Tenant
from tests.core.payments.helpers import BANK_ACCOUNT
from tests.tenants.helpers import START
from tests.web.api_fixtures import ApiTenant, api_tenant


@dataclass(frozen=True)
class PaymentsShop:
    api: ApiTenant
    ctx: Context

    @property
    def headers(self) -> dict[str, str]:
        return self.api.headers

    def keyed(self, key: str) -> dict[str, str]:
        return {**self.api.headers, "Idempotency-Key": key}


async def payments_shop(settings, clock, methods: tuple[str, ...] = ("wallet",)) -> PaymentsShop:
    """``api_tenant`` (card enabled) plus a payment account of each of ``methods``."""
    shop = await api_tenant(settings, clock)
    with system_scope("test: read the tenant"):
        row = await Tenant.objects().where(Tenant.id == shop.tenant_id).first()
    tenant = tenant_ref(row)
    ctx = Context(tenant, Actor.system("test"), clock)
    keyring = Keyring.from_settings(settings)
    with tenant_scope(tenant):
        for method in methods:
            config = BANK_ACCOUNT.config if method == "bank_transfer" else {}
            await save_account(ctx, keyring, "payment", method, config, {})
    return PaymentsShop(shop, ctx)


async def new_customer(shop: PaymentsShop) -> int:
    with tenant_scope(shop.ctx.tenant):
        return await create_customer(
            shop.ctx, "株式会社テスト", "100-0001", "東京都", "千代田区千代田1-1", "03-1234-5678"
        )


async def payment_objects(api: ApiTenant) -> dict[str, int]:
    """For the isolation walk: the tenant's product, a customer with a wallet and a started
    wallet payment, by the path parameters that name them."""
    from core.contracts.common import PluginAccount
    from core.contracts.payments import PaymentRequest
    from plugins.wallet import ledger
    from plugins.wallet.adapter import WalletAdapter

    with system_scope("test: read the tenant"):
        row = await Tenant.objects().where(Tenant.id == api.tenant_id).first()
    tenant = tenant_ref(row)
    shop = PaymentsShop(api, Context(tenant, Actor.system("test"), FrozenClock(START)))
    customer = await new_customer(shop)
    with tenant_scope(tenant):
        await ledger.open_wallet(shop.ctx, customer, "osaipo-pass-1234")
        adapter = WalletAdapter(PluginAccount(public_url="https://shop.example.jp"))
        started = await adapter.start(
            shop.ctx.with_key("isolation-wallet-payment"),
            PaymentRequest("order", 1, 1_000, customer),
        )
    return {
        "product_id": api.product_id,
        "customer_id": customer,
        "payment_id": int(started.instructions["payment_id"]),
    }
