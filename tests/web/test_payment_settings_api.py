"""Per-product accepted payment methods and the customer's payment method with automatic
renewal, through the API; orders refused on ``payment_method``; the renewal defaults."""

from datetime import UTC, datetime

import pytest
from litestar.testing import AsyncTestClient

from core.clock import FrozenClock
from core.context import tenant_scope
from core.outbox_relay import deliver_pending
from core.payments.renewal_settings import renewal_defaults
from plugins.wallet import ledger
from plugins.wallet.topups import on_payment_method_reset
from tests.conftest import make_app
from tests.plugins.wallet.helpers import PASSWORD
from tests.web.api_fixtures import TestPlugin
from tests.web.payments_shop import new_customer, payments_shop

START = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    return FrozenClock(START)


@pytest.fixture
async def api(settings, clock):
    app = make_app(settings, plugins=[TestPlugin()], clock=clock)
    async with AsyncTestClient(app) as client:
        yield client


def errors_of(answer) -> list[tuple[str, str]]:
    assert answer.status_code == 422, answer.text
    return [(e["field"], e["code"]) for e in answer.json()["errors"]]


async def test_product_methods_default_narrow_refuse_and_enforce(api, settings, clock):
    shop = await payments_shop(settings, clock, methods=("wallet", "bank_transfer"))
    url = f"/api/v1/products/{shop.api.product_id}/payment-methods"
    shown = await api.get(url, headers=shop.headers)
    assert shown.status_code == 200, shown.text
    assert shown.json()["methods"] == ["card", "wallet", "bank_transfer"]
    assert shown.json()["narrowed"] is False
    refused = await api.put(
        url, json={"payment_methods": ["card", "direct_debit", "cash"]}, headers=shop.headers
    )
    assert errors_of(refused) == [
        ("payment_methods[1]", "catalog.payment_methods.not_enabled"),
        ("payment_methods[2]", "catalog.payment_methods.unknown"),
    ]
    english = await api.put(
        url,
        json={"payment_methods": ["cash"]},
        headers={**shop.headers, "Accept-Language": "en"},
    )
    assert english.json()["errors"][0]["message"] == '"cash" is not a payment method.'
    narrowed = await api.put(url, json={"payment_methods": ["card"]}, headers=shop.headers)
    assert narrowed.json()["methods"] == ["card"] and narrowed.json()["narrowed"] is True
    body = {"payment_method": "bank_transfer", "lines": [{"product_id": shop.api.product_id}]}
    order = await api.post("/api/v1/orders", json=body, headers=shop.keyed("order-bt-0001"))
    assert errors_of(order) == [("payment_method", "orders.order.payment_method_not_accepted")]
    body["payment_method"] = "card"
    order = await api.post("/api/v1/orders", json=body, headers=shop.keyed("order-card-001"))
    assert order.status_code == 201, order.text
    reset = await api.put(url, json={"payment_methods": None}, headers=shop.headers)
    assert reset.json()["narrowed"] is False


async def test_product_methods_of_another_tenant_are_not_found(api, settings, clock):
    mine = await payments_shop(settings, clock)
    theirs = await payments_shop(settings, clock)
    url = f"/api/v1/products/{theirs.api.product_id}/payment-methods"
    assert (await api.get(url, headers=mine.headers)).status_code == 404
    put = await api.put(url, json={"payment_methods": ["card"]}, headers=mine.headers)
    assert put.status_code == 404


async def test_customer_payment_method_renewal_and_reset(api, settings, clock):
    shop = await payments_shop(settings, clock, methods=("wallet", "bank_transfer"))
    customer = await new_customer(shop)
    url = f"/api/v1/customers/{customer}/payment-method"
    initial = await api.get(url, headers=shop.headers)
    assert initial.json()["payment_method"] == "" and initial.json()["auto_renew"] is False
    no_day = await api.put(url, json={"payment_method": "wallet"}, headers=shop.headers)
    assert errors_of(no_day) == [("renewal_day", "payments.setting.renewal_day_invalid")]
    bad_day = await api.put(
        url, json={"payment_method": "wallet", "renewal_day": 7}, headers=shop.headers
    )
    assert errors_of(bad_day) == [("renewal_day", "payments.setting.renewal_day_invalid")]
    not_enabled = await api.put(url, json={"payment_method": "direct_debit"}, headers=shop.headers)
    assert errors_of(not_enabled) == [("payment_method", "payments.setting.method_not_enabled")]

    bank = await api.put(url, json={"payment_method": "bank_transfer"}, headers=shop.headers)
    assert (bank.json()["auto_renew"], bank.json()["renewal_day"]) == (False, None)
    card = await api.put(
        url,
        json={"payment_method": "card", "saved_method_ref": "cus_1/pm_1"},
        headers=shop.headers,
    )
    assert card.json()["auto_renew"] is True and card.json()["saved_method_ref"] == "cus_1/pm_1"
    wallet = await api.put(
        url, json={"payment_method": "wallet", "renewal_day": 15}, headers=shop.headers
    )
    assert (wallet.json()["auto_renew"], wallet.json()["renewal_day"]) == (True, 15)
    with tenant_scope(shop.ctx.tenant):
        assert await renewal_defaults(customer) == (True, "wallet", 15)
        opened = await ledger.open_wallet(shop.ctx, customer, PASSWORD)
        await ledger.set_linked(shop.ctx, opened.id, True)

    reset = await api.post(f"{url}/reset", headers=shop.headers)
    assert reset.status_code == 200, reset.text
    assert reset.json() == {
        "customer_id": customer,
        "payment_method": "",
        "auto_renew": False,
        "renewal_day": None,
        "saved_method_ref": "",
    }
    with tenant_scope(shop.ctx.tenant):
        assert await renewal_defaults(customer, shop.ctx) == (False, "", None)
        handlers = {"payment.method_reset": [on_payment_method_reset]}
        await deliver_pending(shop.ctx.tenant, handlers, clock)
        assert (await ledger.find_wallet(shop.ctx, customer_id=customer)).linked is False


async def test_another_tenants_customer_is_not_found(api, settings, clock):
    mine = await payments_shop(settings, clock)
    theirs = await payments_shop(settings, clock)
    customer = await new_customer(theirs)
    url = f"/api/v1/customers/{customer}/payment-method"
    assert (await api.get(url, headers=mine.headers)).status_code == 404
    answer = await api.put(url, json={"payment_method": "card"}, headers=mine.headers)
    assert answer.status_code == 404
