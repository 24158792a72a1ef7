"""A tenant set up to buy DigiCert vouchers from the sandbox: provider account, product,
price table (core.catalog's wholesale import), contract, and a staff context."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.billing.models import BankAccount, Issuer
from core.catalog.products import save_product
from core.catalog.wholesale import import_price_table
from core.clock import FrozenClock
from core.context import Actor, ActorKind, Context, TenantRef, tenant_scope
from core.contracts.common import ProductSpec
from plugins.digicert.contracts import set_contract
from plugins.digicert.tables import DcDirectOrder, DcRedemption, DcVoucherCode, DcVoucherOrder
from tenants.credentials import Keyring
from tenants.provider_accounts import save_account
from tenants.tables import ProviderAccount
from tests.plugins.digicert.conftest import API_KEY
from tests.tenants.helpers import active_tenant, staff_context

ISSUER = Issuer(
    name="デジサート・ジャパン合同会社",
    registration_number="T7000012050002",
    postal_code="104-0061",
    address="東京都中央区銀座6-10-1 GINZA SIX 8階",
    phone="03-4560-3971",
    email="billing@example.jp",
)
BANK = BankAccount(
    bank_name="三井住友銀行",
    branch_name="ツバキ支店",
    branch_code="879",
    account_type="当座",
    account_number="0249302",
    account_holder="デジサートジャパン(ド",
)
PRICE_CSV = (
    "製品名,定価,割引率,提供価格,年数,種別,製品コード\n"
    "Basic OV,20000,0.0,17600,1,base,ssl_basic\n"
    "Basic OV,20000,0.0,26400,1,additional_fqdn,ssl_basic\n"
    "Basic OV,20000,0.0,93120,1,wildcard,ssl_basic\n"
    "Basic OV,40000,0.0,24800,2,base,ssl_basic\n"
    "Basic OV,40000,0.0,52000,2,additional_fqdn,ssl_basic\n"
    "Basic OV,40000,0.0,168960,2,wildcard,ssl_basic\n"
).encode()


@dataclass(frozen=True)
class Shop:
    tenant: TenantRef
    ctx: Context
    owner_id: int

    def operator_acting(self) -> Context:
        """An operator delivering vouchers inside the tenant with consent (代行納品)."""
        actor = Actor(
            ActorKind.STAFF, "dcj_sales_invoice", "デジサート・ジャパン 納品担当",
            on_behalf_of="operator:op-7",
        )  # fmt: skip
        return Context(self.tenant, actor, self.ctx.clock)


async def forget_account(shop: Shop) -> None:
    """Delete the shop's provider account after a test: its credentials are sealed with the
    test settings' key, and ``reencrypt_all`` in the tenants tests walks every row of the
    session's shared database with keys of its own."""
    await ProviderAccount.delete().where(ProviderAccount.tenant == shop.tenant.id).run()


async def make_shop(settings, clock: FrozenClock, api_url: str) -> Shop:
    result, _ = await active_tenant(clock)
    return await add_digicert(settings, clock, api_url, result.tenant, result.owner_id)


async def add_digicert(
    settings, clock: FrozenClock, api_url: str, tenant: TenantRef, owner_id: int
) -> Shop:
    """Set up an existing tenant to buy from the sandbox at ``api_url``."""
    ctx = staff_context(tenant, owner_id, clock)
    operator = Context(tenant, Actor(ActorKind.OPERATOR, "op-1", "Operator"), clock)
    with tenant_scope(tenant):
        account = await save_account(
            ctx, Keyring.from_settings(settings), "provider", "digicert",
            {"base_url": api_url}, {"api_key": API_KEY},
        )  # fmt: skip
        spec = ProductSpec(
            code="ssl_basic", name_ja="ベーシックOV", name_en="Basic OV", kind="ssl",
            validation="ov", terms_months=(12, 24), max_fqdns=250, max_wildcards=250,
        )  # fmt: skip
        await save_product(ctx, account.id, "digicert", spec, wholesale_name="Basic OV")
        await import_price_table(
            operator, account.id, clock.now().date().replace(year=2030), PRICE_CSV
        )
        await set_contract(operator, account.id, "pay_as_you_go", ISSUER, BANK, "NET30EOM", 0)
    return Shop(tenant, ctx, owner_id)


async def isolation_objects(tenant_id: int, now: datetime) -> dict[str, int]:
    """A voucher order, a code, a certificate request and a direct purchase owned by
    ``tenant_id``, written directly (no upstream), for
    ``tests/web/test_api_isolation.py``'s walk over every id route."""
    order = DcVoucherOrder(
        tenant_id=tenant_id,
        idempotency_key=f"{tenant_id}:isolation",
        request_digest="-",
        status="completed",
        payment_method="bank_transfer",
        created_at=now,
        upstream_id=1,
    )
    await order.save().run()
    code = DcVoucherCode(
        tenant_id=tenant_id,
        voucher_order_id=order.id,
        upstream_id=1,
        value="ISOLATION" + "0" * 23,
        product_name_id="ssl_basic",
        created_at=now,
        redeem_by=now.date(),
    )
    await code.save().run()
    certificate = DcRedemption(
        tenant_id=tenant_id, code_id=code.id, status="issued", requested_at=now, pem_chain="-"
    )
    await certificate.save().run()
    direct = DcDirectOrder(
        tenant_id=tenant_id,
        idempotency_key=f"{tenant_id}:isolation-direct",
        request_digest="-",
        status="completed",
        product_name_id="ssl_basic",
        payment_method="bank_transfer",
        redemption_id=certificate.id,
        created_at=now,
    )
    await direct.save().run()
    return {
        "voucher_order_id": order.id,
        "code_id": code.id,
        "redemption_id": certificate.id,
        "direct_order_id": direct.id,
    }
