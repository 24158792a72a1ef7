"""Paying a shop order from the customer's wallet (おさいぽ!-style) over HTTP, on SQLite and
PostgreSQL: the amount must be confirmed, a wrong password names the wallet ID, the right one
pays the order (入金確認済) and debits the wallet once."""

from __future__ import annotations

import re

import pytest

from core.clock import FrozenClock
from core.context import tenant_scope
from plugins.wallet import ledger
from tenants.tables import CustomerUser
from tests.core.orders.helpers import TestPlugin
from tests.plugins.wallet.helpers import PASSWORD as WALLET_PASSWORD
from tests.plugins.wallet.helpers import topup_outcome
from tests.tenants.helpers import staff_context
from tests.web.browser import PASSWORD, START, browser, browser_settings, csrf_of, make_app
from tests.web.storefront.helpers import make_store


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def settings(tmp_path, database):
    return browser_settings(tmp_path, database)


@pytest.fixture
def app(settings, clock):
    return make_app(settings, clock=clock, plugins=[TestPlugin()])


async def test_customer_pays_from_the_wallet_after_confirming_the_amount(app, settings, clock):
    store = await make_store(clock, settings, wallet=True)
    ctx = staff_context(store.shop.tenant, store.shop.owner_id, clock)
    with tenant_scope(store.shop.tenant):
        customer_id = (
            await CustomerUser.select(CustomerUser.customer)
            .where(CustomerUser.id == store.shop.customer_user_id)
            .first()
        )["customer"]
        wallet = await ledger.open_wallet(ctx, customer_id, WALLET_PASSWORD)
        await ledger.top_up(ctx, "card", topup_outcome(wallet.id, 50_000, "pi_topup_1"))
    async with browser(app, store.host) as client:
        product = await client.get(f"/shop/products/{store.product_id}")
        await client.post(
            "/shop/cart",
            data={
                "product_id": str(store.product_id),
                "term_months": "12",
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
        assert 'value="wallet"' in payment.text
        token = re.search(r'name="form_token" value="([^"]+)"', payment.text).group(1)
        placed = await client.post(
            "/shop/checkout/place",
            data={
                "payment_method": "wallet",
                "form_token": token,
                "csrf_token": csrf_of(payment.text),
            },
        )
        order_id = int(placed.headers["location"].split("/")[3])
        form = await client.get(f"/shop/orders/{order_id}/pay?lang=en")
        assert form.status_code == 200 and "¥33,000" in form.text
        payment_id = re.search(r'name="payment_id" value="(\d+)"', form.text).group(1)
        fields = {"payment_id": payment_id, "csrf_token": csrf_of(form.text)}
        path = f"/shop/orders/{order_id}/pay/wallet?lang=en"

        unconfirmed = await client.post(
            path, data={**fields, "wallet_id": wallet.wallet_code, "password": WALLET_PASSWORD}
        )
        assert unconfirmed.status_code == 400
        assert "tick the box to confirm" in unconfirmed.text
        assert f'value="{wallet.wallet_code}"' in unconfirmed.text  # the input is kept

        wrong = await client.post(
            path,
            data={**fields, "wallet_id": wallet.wallet_code, "password": "wrong", "confirm": "yes"},
        )
        assert wrong.status_code == 400
        assert 'id="wallet_id"' in wrong.text and "The wallet ID or password is incorrect." in (
            wrong.text
        )

        paid = await client.post(
            path,
            data={
                **fields,
                "wallet_id": wallet.wallet_code,
                "password": WALLET_PASSWORD,
                "confirm": "yes",
            },
        )
        assert paid.status_code == 303, paid.text
        done = await client.get(f"/shop/orders/{order_id}?lang=ja")
        assert "入金確認済" in done.text
    with tenant_scope(store.shop.tenant):
        assert await ledger.balance(ctx, wallet.id) == 50_000 - 33_000
