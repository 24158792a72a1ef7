"""A tenant set up to buy DigiCert vouchers from the sandbox: provider account, product,
price table (core.catalog's wholesale import), contract, and a staff context."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.clock import FrozenClock
from core.context import Actor, ActorKind, Context, TenantRef, tenant_scope
from plugins.digicert.demo import BANK, BASIC_OV_PRICE_TABLE, ISSUER, set_up_reseller
from plugins.digicert.tables import DcDirectOrder, DcRedemption, DcVoucherCode, DcVoucherOrder
from tenants.credentials import Keyring
from tenants.tables import ProviderAccount
from tests.plugins.digicert.conftest import API_KEY
from tests.tenants.helpers import active_tenant, staff_context

__all__ = ["BANK", "ISSUER", "PRICE_CSV", "Shop", "add_digicert", "forget_account", "make_shop"]

PRICE_CSV = BASIC_OV_PRICE_TABLE.encode()


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
    """Set up an existing tenant to buy from the sandbox at ``api_url`` (the product code
    ``plugins.digicert.demo.set_up_reseller``: Basic OV, its price table, the contract)."""
    ctx = staff_context(tenant, owner_id, clock)
    operator = Context(tenant, Actor(ActorKind.OPERATOR, "op-1", "Operator"), clock)
    contract_end = clock.now().date().replace(year=2030)
    with tenant_scope(tenant):
        await set_up_reseller(
            operator, Keyring.from_settings(settings), api_url, API_KEY, contract_end
        )
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
