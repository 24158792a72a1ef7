"""Paying an order from the wallet through the API, as the seed's おさいぽ! flow: authenticate
with wallet ID and password (wrong password → clear error; repeated failures lock), confirm the
amount, debit; the order is paid once."""

from datetime import UTC, datetime, timedelta

import pytest
from litestar.testing import AsyncTestClient

from core.clock import FrozenClock
from core.context import tenant_scope
from core.i18n import load_catalogs
from plugins.wallet import ledger
from tests.conftest import make_app
from tests.plugins.wallet.helpers import PASSWORD, topup_outcome
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


async def wallet_order(api, settings, clock, funds: int):
    shop = await payments_shop(settings, clock)
    customer = await new_customer(shop)
    with tenant_scope(shop.ctx.tenant):
        wallet = await ledger.open_wallet(shop.ctx, customer, PASSWORD)
        if funds:
            await ledger.top_up(shop.ctx, "card", topup_outcome(wallet.id, funds, "pi_funds"))
    body = {
        "payment_method": "wallet",
        "customer_id": customer,
        "lines": [{"product_id": shop.api.product_id}],
    }
    created = await api.post("/api/v1/orders", json=body, headers=shop.keyed("order-wallet-1"))
    assert created.status_code == 201, created.text
    started = await api.post(
        "/api/v1/wallet-payments", json={"order_id": created.json()["id"]}, headers=shop.headers
    )
    assert started.status_code == 201, started.text
    return shop, wallet, created.json(), started.json()


def error_of(answer) -> tuple[str, str]:
    assert answer.status_code == 422, answer.text
    error = answer.json()["errors"][0]
    return error["field"], error["code"]


async def test_authenticate_confirm_and_pay_once(api, settings, clock):
    shop, wallet, order, payment = await wallet_order(api, settings, clock, funds=50_000)
    assert (payment["amount"], payment["linked"]) == (order["total"], False)
    pid = payment["payment_id"]
    confirm = f"/api/v1/wallet-payments/{pid}/confirm"
    unauthenticated = await api.post(
        confirm, json={"confirmed_amount": order["total"]}, headers=shop.headers
    )
    assert error_of(unauthenticated) == ("wallet_id", "wallet.authentication_required")
    signed_in = await api.post(
        f"/api/v1/wallet-payments/{pid}/authenticate",
        json={"wallet_id": wallet.wallet_code, "password": PASSWORD},
        headers=shop.headers,
    )
    assert signed_in.status_code == 200 and signed_in.json()["linked"] is True
    wrong_amount = await api.post(confirm, json={"confirmed_amount": 1}, headers=shop.headers)
    assert error_of(wrong_amount) == ("confirmed_amount", "wallet.amount_mismatch")
    paid = await api.post(confirm, json={"confirmed_amount": order["total"]}, headers=shop.headers)
    again = await api.post(confirm, json={"confirmed_amount": order["total"]}, headers=shop.headers)
    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "paid" and paid.json()["order_paid"] is True
    assert again.json()["reference"] == paid.json()["reference"]
    assert again.json()["balance"] == 50_000 - order["total"]
    state = await api.get(f"/api/v1/orders/{order['id']}/payment", headers=shop.headers)
    assert state.json()["status"] == "confirmed" and state.json()["received"] == order["total"]


async def test_a_wrong_password_is_a_clear_error_and_five_lock_the_wallet(api, settings, clock):
    shop, wallet, _, payment = await wallet_order(api, settings, clock, funds=50_000)
    url = f"/api/v1/wallet-payments/{payment['payment_id']}/authenticate"
    wrong = {"wallet_id": wallet.wallet_code, "password": "not-the-password"}
    answers = [await api.post(url, json=wrong, headers=shop.headers) for _ in range(5)]
    assert [error_of(a) for a in answers[:4]] == [("wallet_id", "wallet.login_failed")] * 4
    assert error_of(answers[4]) == ("wallet_id", "wallet.locked")
    ja = load_catalogs("plugins.wallet")["ja"]["wallet.login_failed"]
    assert answers[0].json()["errors"][0]["message"] == ja  # in the default language, ja
    right = {"wallet_id": wallet.wallet_code, "password": PASSWORD}
    locked = await api.post(url, json=right, headers=shop.headers)
    assert error_of(locked) == ("wallet_id", "wallet.locked")
    clock.advance(timedelta(minutes=16))
    unlocked = await api.post(url, json=right, headers=shop.headers)
    assert unlocked.status_code == 200, unlocked.text


async def test_too_little_money_fails_and_nothing_is_debited(api, settings, clock):
    shop, wallet, order, payment = await wallet_order(api, settings, clock, funds=100)
    answer = await api.post(
        f"/api/v1/wallet-payments/{payment['payment_id']}/confirm",
        json={
            "confirmed_amount": order["total"],
            "wallet_id": wallet.wallet_code,
            "password": PASSWORD,
        },
        headers=shop.headers,
    )
    assert answer.status_code == 200, answer.text
    assert (answer.json()["status"], answer.json()["balance"]) == ("failed", 100)
    assert answer.json()["order_paid"] is False


async def test_an_order_not_paid_by_wallet_cannot_start_a_wallet_payment(api, settings, clock):
    shop = await payments_shop(settings, clock)
    body = {"payment_method": "card", "lines": [{"product_id": shop.api.product_id}]}
    created = await api.post("/api/v1/orders", json=body, headers=shop.keyed("order-card-01"))
    answer = await api.post(
        "/api/v1/wallet-payments", json={"order_id": created.json()["id"]}, headers=shop.headers
    )
    assert error_of(answer) == ("order_id", "wallet.not_wallet_order")
