"""The shop and its checkout over HTTP (in-process client), on SQLite and PostgreSQL: prices
without and with tax, a refused line keeps its input and names the field, the cart follows
the visitor through sign-in, the order is placed once per form token, and bank transfer shows
its instructions on the confirmation page."""

from __future__ import annotations

import re

import pytest

from core.clock import FrozenClock
from core.context import tenant_scope
from core.orders.tables import Order
from core.tables import OutboxEvent
from tests.core.orders.helpers import TestPlugin
from tests.core.payments.helpers import new_order
from tests.tenants.helpers import staff_context
from tests.web.browser import (
    PASSWORD,
    START,
    browser,
    browser_settings,
    csrf_of,
    make_app,
)
from tests.web.storefront.helpers import make_store, place_order


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def settings(tmp_path, database):
    return browser_settings(tmp_path, database)


@pytest.fixture
def app(settings, clock):
    return make_app(settings, clock=clock, plugins=[TestPlugin()])


async def _post(client, page: str, path: str, data: dict[str, str]):
    shown = await client.get(page)
    return await client.post(path, data={**data, "csrf_token": csrf_of(shown.text)})


async def test_products_show_prices_without_and_with_tax(app, settings, clock):
    store = await make_store(clock, settings)
    async with browser(app, store.host) as client:
        page = await client.get("/shop/?lang=ja")
        assert page.status_code == 200, page.text
        assert "企業認証SSL" in page.text
        assert "30,000円" in page.text and "33,000円" in page.text  # 1 year
        assert "60,000円" in page.text and "66,000円" in page.text  # 2 years
        english = await client.get("/shop/?lang=en")
        assert "OV SSL" in english.text and "¥33,000" in english.text


async def test_a_refused_line_keeps_the_input_and_names_the_field(app, settings, clock):
    store = await make_store(clock, settings)
    async with browser(app, store.host) as client:
        page = f"/shop/products/{store.product_id}?lang=en"
        answer = await _post(
            client,
            page,
            "/shop/cart",
            {
                "product_id": str(store.product_id),
                "term_months": "24",
                "quantity": "2",
                "fqdns": "abc",
                "wildcards": "3",
            },
        )
        assert answer.status_code == 400
        assert 'id="fqdns"' in answer.text and 'aria-invalid="true"' in answer.text
        assert "Additional FQDNs: enter a whole number from 0 to 250." in answer.text
        assert 'value="abc"' in answer.text and 'value="3"' in answer.text
        assert re.search(r'<option value="24"\s+selected', answer.text)
        cart = await client.get("/shop/cart?lang=en")
        assert "Your cart is empty." in cart.text


async def test_bank_transfer_checkout_places_one_order_and_shows_instructions(app, settings, clock):
    store = await make_store(clock, settings)
    async with browser(app, store.host) as client:
        added = await _post(
            client,
            f"/shop/products/{store.product_id}",
            "/shop/cart",
            {"product_id": str(store.product_id), "term_months": "12", "quantity": "1",
             "fqdns": "2", "wildcards": "0"},
        )  # fmt: skip
        assert added.status_code == 303 and added.headers["location"] == "/shop/cart"
        cart = await client.get("/shop/cart?lang=ja")
        assert "32,000円" in cart.text and "35,200円" in cart.text  # 30,000 + 2 x 1,000; +10 %
        start = await client.get("/shop/checkout/")
        assert start.headers["location"] == "/shop/checkout/account"
        wrong = await _post(
            client,
            "/shop/checkout/account",
            "/shop/checkout/sign-in",
            {"email": store.shop.customer_email, "password": "wrong password!"},
        )
        assert wrong.status_code == 400
        assert store.shop.customer_email in wrong.text  # the e-mail is kept
        signed = await _post(
            client,
            "/shop/checkout/account",
            "/shop/checkout/sign-in",
            {"email": store.shop.customer_email, "password": PASSWORD},
        )
        assert signed.status_code == 303, signed.text
        assert signed.headers["location"] == "/shop/checkout/payment"
        payment = await client.get("/shop/checkout/payment?lang=ja")
        assert payment.status_code == 200
        assert "35,200円" in payment.text  # the cart followed the rotated session
        assert 'value="bank_transfer"' in payment.text
        token = re.search(r'name="form_token" value="([^"]+)"', payment.text).group(1)
        form = {
            "payment_method": "bank_transfer",
            "form_token": token,
            "csrf_token": csrf_of(payment.text),
        }
        placed = await client.post("/shop/checkout/place", data=form)
        again = await client.post("/shop/checkout/place", data=form)  # a double click
        assert placed.status_code == again.status_code == 303
        assert placed.headers["location"] == again.headers["location"]
        order_id = int(placed.headers["location"].split("/")[3])
        paying = await client.get(placed.headers["location"])
        assert paying.headers["location"] == f"/shop/orders/{order_id}"
        back = await client.get("/shop/checkout/payment")  # the back button after placing
        assert back.headers["location"] == f"/shop/orders/{order_id}?notice=already_placed"
        told = await client.get(back.headers["location"] + "&lang=en")
        assert "This order is already placed." in told.text
        done = await client.get(f"/shop/orders/{order_id}?lang=ja")
        assert done.status_code == 200
        assert "入金待ち" in done.text and "お振込先" in done.text
        assert "35,200円" in done.text
        with tenant_scope(store.shop.tenant):
            orders = await Order.count().where(Order.tenant_id == store.shop.tenant.id)
            mails = (
                await OutboxEvent.select(OutboxEvent.payload)
                .where(
                    (OutboxEvent.tenant_id == store.shop.tenant.id)
                    & (OutboxEvent.event_type == "order.received")
                )
                .output(load_json=True)
            )
        assert orders == 1 and len(mails) == 1
        mail = mails[0]["payload"]
        assert mail["to"] == store.shop.customer_email and mail["language"] == "ja"
        assert mail["order_number"] == "ORD-2026-000001" and mail["total"] == 35_200
        assert mail["order_url"] == f"http://{store.host}/portal/orders/{order_id}"


async def test_an_order_of_someone_else_is_not_found(app, settings, clock):
    store = await make_store(clock, settings)
    ctx = staff_context(store.shop.tenant, store.shop.owner_id, clock)
    with tenant_scope(store.shop.tenant):
        order = await new_order(ctx, customer_id=None)  # not this customer's
    async with browser(app, store.host) as client:
        signed = await _post(
            client,
            "/portal/login",
            "/portal/login",
            {"email": store.shop.customer_email, "password": PASSWORD},
        )
        assert signed.status_code == 303
        for path in (f"/shop/orders/{order.id}", f"/shop/orders/{order.id}/pay"):
            assert (await client.get(path)).status_code == 404


async def test_a_new_customer_signs_up_during_checkout(app, settings, clock):
    store = await make_store(clock, settings)
    async with browser(app, store.host) as client:
        await _post(
            client,
            f"/shop/products/{store.product_id}",
            "/shop/cart",
            {"product_id": str(store.product_id), "term_months": "12", "quantity": "1",
             "fqdns": "0", "wildcards": "0"},
        )  # fmt: skip
        form = {
            "organization_name": "新規株式会社",
            "postal_code": "12",
            "prefecture": "東京都",
            "address": "港区1-1",
            "phone": "03-0000-0000",
            "display_name": "新規 太郎",
            "email": "new-buyer@example.jp",
            "password": "a long enough password",
        }
        refused = await _post(
            client, "/shop/checkout/account?lang=en", "/shop/checkout/sign-up", form
        )
        assert refused.status_code == 400
        assert 'id="up-postal_code"' in refused.text and 'aria-invalid="true"' in refused.text
        assert 'value="新規株式会社"' in refused.text  # the input is kept, not the password
        assert "a long enough password" not in refused.text
        assert not MISSING_ID.search(refused.text)
        created = await _post(
            client,
            "/shop/checkout/account",
            "/shop/checkout/sign-up",
            {**form, "postal_code": "105-0011"},
        )
        assert created.status_code == 303, created.text
        assert created.headers["location"] == "/shop/checkout/payment"
        payment = await client.get("/shop/checkout/payment?lang=ja")
        assert "新規株式会社" in payment.text and "33,000円" in payment.text


MISSING_ID = re.compile(r"\[[a-z_]+\.[a-z_.]+\]")


async def test_every_step_is_translated_in_both_languages(app, settings, clock):
    store = await make_store(clock, settings)
    async with browser(app, store.host) as client:
        anonymous = ["/shop/", f"/shop/products/{store.product_id}", "/shop/cart"]
        order_id = await place_order(client, store, "bank_transfer")
        await client.get(f"/shop/orders/{order_id}/pay")  # issues the transfer instructions
        await _post(
            client,
            f"/shop/products/{store.product_id}",
            "/shop/cart",
            {"product_id": str(store.product_id), "term_months": "12", "quantity": "1",
             "fqdns": "0", "wildcards": "0"},
        )  # fmt: skip
        signed_in = ["/shop/cart", "/shop/checkout/payment", f"/shop/orders/{order_id}"]
        for path in [*anonymous, *signed_in, "/shop/products/999999"]:
            for lang in ("ja", "en"):
                page = await client.get(f"{path}?lang={lang}")
                assert page.status_code in (200, 404), (path, page.status_code)
                assert f'<html lang="{lang}">' in page.text
                assert not MISSING_ID.search(page.text), (path, lang, MISSING_ID.findall(page.text))
