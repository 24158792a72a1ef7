"""The tenant API over HTTP: API-key authentication, orders, quotes, errors, rate limits."""

from datetime import UTC, datetime, timedelta

import pytest
from litestar.testing import AsyncTestClient

from core.clock import FrozenClock
from core.context import tenant_scope
from tenants.api_keys import revoke_api_key
from tests.conftest import make_app, make_settings
from tests.tenants.helpers import OPERATOR
from tests.web.api_fixtures import TestPlugin, api_tenant

START = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    return FrozenClock(START)


@pytest.fixture
async def api(settings, clock):
    app = make_app(settings, plugins=[TestPlugin()], clock=clock)
    async with AsyncTestClient(app) as client:
        yield client


def order_body(product_id: int, **line) -> dict:
    return {"payment_method": "card", "lines": [{"product_id": product_id, **line}]}


async def test_order_is_placed_once_per_idempotency_key(api, settings, clock):
    shop = await api_tenant(settings, clock)
    headers = {**shop.headers, "Idempotency-Key": "panel-order-0001"}
    body = order_body(shop.product_id, quantity=3, term_months=12, fqdns=2)
    first = await api.post("/api/v1/orders", json=body, headers=headers)
    assert first.status_code == 201, first.text
    order = first.json()
    assert order["state"] == "draft"
    assert order["subtotal"] == 3 * (10_000 + 2 * 1_000)
    assert order["tax"] == order["subtotal"] // 10
    again = await api.post("/api/v1/orders", json=body, headers=headers)
    assert again.status_code == 201 and again.json()["id"] == order["id"]
    listed = await api.get("/api/v1/orders", headers=shop.headers)
    assert [o["id"] for o in listed.json()] == [order["id"]]


async def test_order_without_idempotency_key_is_refused(api, settings, clock):
    shop = await api_tenant(settings, clock)
    response = await api.post(
        "/api/v1/orders", json=order_body(shop.product_id), headers=shop.headers
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.text


async def test_provider_limits_come_back_as_field_errors_in_the_users_language(
    api, settings, clock
):
    shop = await api_tenant(settings, clock)
    headers = {**shop.headers, "Idempotency-Key": "panel-order-0002", "Accept-Language": "en"}
    body = order_body(shop.product_id, quantity=1001, fqdns=251)
    response = await api.post("/api/v1/orders", json=body, headers=headers)
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"lines[0].quantity", "lines[0].fqdns"} <= fields


async def test_missing_unknown_revoked_and_expired_keys_get_401_with_a_reason(api, settings, clock):
    shop = await api_tenant(settings, clock)
    missing = await api.get("/api/v1/orders", headers={"Accept-Language": "ja"})
    assert missing.status_code == 401
    assert missing.json()["errors"][0]["code"] == "api.key_missing"
    assert "X-API-Key" in missing.json()["errors"][0]["message"]
    unknown = await api.get("/api/v1/orders", headers={"X-API-Key": "shk_nope_nope"})
    assert unknown.status_code == 401
    assert unknown.json()["errors"][0]["code"] == "tenants.api_key_invalid"

    from tenants.api_keys import authenticate

    principal = await authenticate(shop.key, clock)
    from tests.tenants.helpers import staff_context

    ctx = staff_context(principal.tenant, 0, clock)
    with tenant_scope(principal.tenant):
        await revoke_api_key(ctx, principal.key_id)
    revoked = await api.get("/api/v1/orders", headers={**shop.headers, "Accept-Language": "en"})
    assert revoked.status_code == 401
    assert revoked.json()["errors"][0]["code"] == "tenants.api_key_revoked"
    assert revoked.json()["errors"][0]["message"] != "[tenants.api_key_revoked]"
    assert OPERATOR  # the operator actor exists for suspension tests elsewhere


async def test_a_key_without_the_scope_is_forbidden(api, settings, clock):
    shop = await api_tenant(settings, clock, scopes=("orders:read",))
    headers = {**shop.headers, "Idempotency-Key": "panel-order-0003"}
    response = await api.post("/api/v1/orders", json=order_body(shop.product_id), headers=headers)
    assert response.status_code == 403


async def test_quote_converts_at_the_quoted_price_while_valid(api, settings, clock):
    shop = await api_tenant(settings, clock)
    created = await api.post(
        "/api/v1/quotes",
        json={"lines": [{"product_id": shop.product_id, "term_months": 24}], "memo": "内部メモ"},
        headers=shop.headers,
    )
    assert created.status_code == 201, created.text
    quote = created.json()
    printable = await api.get(f"/api/v1/quotes/{quote['id']}/printable", headers=shop.headers)
    assert "内部メモ" not in printable.text
    clock.advance(timedelta(days=31))
    late = await api.post(
        f"/api/v1/quotes/{quote['id']}/order", json={"payment_method": "card"}, headers=shop.headers
    )
    assert late.status_code == 422
    assert late.json()["errors"][0]["code"] == "orders.quote.expired"


async def test_api_calls_per_key_are_rate_limited(tmp_path, database, clock):
    settings = make_settings(tmp_path, database, api_rate_limit="3")
    shop = await api_tenant(settings, clock)
    app = make_app(settings, plugins=[TestPlugin()], clock=clock)
    async with AsyncTestClient(app) as client:
        codes = [
            (await client.get("/api/v1/orders", headers=shop.headers)).status_code for _ in range(4)
        ]
    assert codes[:3] == [200, 200, 200]
    assert codes[3] == 429
