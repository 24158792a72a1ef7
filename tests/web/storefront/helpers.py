"""A shop for the storefront tests: an active tenant with a customer login, an OV product of
the test provider priced for 1 and 2 years, bank-transfer (and optionally card) payment
accounts, and an API key for the embedding API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.catalog.products import save_product
from core.catalog.retail import set_retail_price
from core.context import tenant_scope
from core.contracts.common import Price, ProductSpec
from tenants.api_keys import SCOPES, create_api_key
from tenants.credentials import Keyring
from tenants.provider_accounts import save_account
from tests.core.orders.helpers import DigiTestProvider
from tests.core.payments.helpers import BANK_ACCOUNT
from tests.plugins.card.conftest import SECRET_KEY, WEBHOOK_SECRET
from tests.tenants.helpers import staff_context
from tests.web.browser import BASE, Shop, make_shop

PUBLISHABLE_KEY = "pk_test_shomei_storefront"
BASE_PRICE = 30_000


@dataclass(frozen=True)
class Store:
    shop: Shop
    product_id: int
    api_key: str

    @property
    def host(self) -> str:
        return self.shop.host

    @property
    def slug(self) -> str:
        return self.shop.tenant.slug

    @property
    def headers(self) -> dict[str, str]:
        return {"X-API-Key": self.api_key}


async def make_store(
    clock: Any, settings: Any, *, card: bool = False, wallet: bool = False
) -> Store:
    shop = await make_shop(clock)
    ctx = staff_context(shop.tenant, shop.owner_id, clock)
    keyring = Keyring.from_settings(settings)
    with tenant_scope(shop.tenant):
        account = await save_account(ctx, keyring, "provider", DigiTestProvider.code, {}, {})
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
            price = Price(BASE_PRICE * term // 12, 1_000, 5_000)
            await set_retail_price(ctx, product.id, term, price)
        await save_account(ctx, keyring, "payment", "bank_transfer", dict(BANK_ACCOUNT.config), {})
        if card:
            credentials = {"secret_key": SECRET_KEY, "webhook_secret": WEBHOOK_SECRET}
            config = {"publishable_key": PUBLISHABLE_KEY}
            await save_account(ctx, keyring, "payment", "card", config, credentials)
        if wallet:
            await save_account(ctx, keyring, "payment", "wallet", {}, {})
        key = await create_api_key(ctx, "panel", list(SCOPES))
    return Store(shop, product.id, key.key)


__all__ = [
    "BASE",
    "BASE_PRICE",
    "PUBLISHABLE_KEY",
    "Store",
    "make_store",
    "place_order",
    "place_through_session",
]


async def place_through_session(client: Any, store: Store, session_url: str, method: str) -> int:
    """Open a hosted checkout session's page, sign in as the store's customer and place the
    order with ``method``; returns the order id (its confirmation page completed the session)."""
    import re
    from urllib.parse import urlsplit

    from tests.web.browser import PASSWORD, csrf_of

    opened = await client.get(urlsplit(session_url).path)
    account = await client.get(opened.headers["location"])
    await client.post(
        "/shop/checkout/sign-in",
        data={
            "email": store.shop.customer_email,
            "password": PASSWORD,
            "csrf_token": csrf_of(account.text),
        },
    )
    payment = await client.get("/shop/checkout/payment")
    token = re.search(r'name="form_token" value="([^"]+)"', payment.text)
    assert token, payment.text
    placed = await client.post(
        "/shop/checkout/place",
        data={
            "payment_method": method,
            "form_token": token.group(1),
            "csrf_token": csrf_of(payment.text),
        },
    )
    order_id = int(placed.headers["location"].split("/")[3])
    await client.get(placed.headers["location"])  # bank transfer: the instructions are issued
    await client.get(f"/shop/orders/{order_id}")
    return order_id


async def place_order(client: Any, store: Store, method: str, term_months: int = 12) -> int:
    """Add one line of the store's product to the cart, sign in at the checkout as the store's
    customer and place the order with ``method``; returns the order id."""
    import re

    from tests.web.browser import PASSWORD, csrf_of

    product = await client.get(f"/shop/products/{store.product_id}")
    await client.post(
        "/shop/cart",
        data={
            "product_id": str(store.product_id),
            "term_months": str(term_months),
            "quantity": "1",
            "fqdns": "0",
            "wildcards": "0",
            "csrf_token": csrf_of(product.text),
        },
    )
    account = await client.get("/shop/checkout/account")
    await client.post(
        "/shop/checkout/sign-in",
        data={
            "email": store.shop.customer_email,
            "password": PASSWORD,
            "csrf_token": csrf_of(account.text),
        },
    )
    payment = await client.get("/shop/checkout/payment")
    token = re.search(r'name="form_token" value="([^"]+)"', payment.text)
    assert token, payment.text
    placed = await client.post(
        "/shop/checkout/place",
        data={
            "payment_method": method,
            "form_token": token.group(1),
            "csrf_token": csrf_of(payment.text),
        },
    )
    assert placed.status_code == 303, placed.text
    return int(placed.headers["location"].split("/")[3])
