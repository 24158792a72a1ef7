"""Entitlement rows for the portal tests, stored directly (as fulfilment would store them)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from core.clock import FrozenClock
from core.context import tenant_scope
from core.contracts.providers import EntitlementState
from core.entitlements.tables import Entitlement
from tenants.credentials import Keyring
from tenants.provider_accounts import save_account
from tenants.tables import CustomerUser
from tests.tenants.helpers import staff_context
from tests.web.browser import Shop
from tests.web.portal_certificates.provider_plugin import CODE, VALIDITY_DAYS, certificate_data
from tests.web.portal_certificates.x509s import make_csr


async def shop_customer_id(shop: Shop) -> int:
    with tenant_scope(shop.tenant):
        rows = await CustomerUser.select(CustomerUser.customer).where(
            CustomerUser.id == shop.customer_user_id
        )
    return rows[0]["customer"]


async def provider_account(shop: Shop, clock: FrozenClock, settings: Any) -> int:
    ctx = staff_context(shop.tenant, shop.owner_id, clock)
    with tenant_scope(shop.tenant):
        account = await save_account(ctx, Keyring.from_settings(settings), "provider", CODE, {}, {})
    return account.id


async def issued_entitlement(
    shop: Shop,
    customer_id: int,
    issued: datetime,
    *,
    common_name: str = "www.example.jp",
    account_id: int | None = None,
    product_code: str = "portal-ov",
    state: EntitlementState = EntitlementState.ISSUED,
) -> int:
    """An issued certificate entitlement of the customer (a real certificate in its data)."""
    data: dict[str, Any] = {
        **certificate_data(make_csr(common_name, f"mail.{common_name}"), issued),
        "common_name": common_name,
    }
    row = Entitlement(
        tenant_id=shop.tenant.id,
        customer_id=customer_id,
        provider_code=CODE,
        provider_account_id=account_id,
        product_code=product_code,
        state=state.value,
        data=data,
        issued_at=issued,
        expires_at=issued + timedelta(days=VALIDITY_DAYS),
        created_at=issued,
        updated_at=issued,
    )
    with tenant_scope(shop.tenant):
        await row.save()
    return row.id
