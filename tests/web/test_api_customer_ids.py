"""An order or a quote is for one of the tenant's own customers: another tenant's customer id
and an id nobody has are refused with 422 naming ``customer_id`` in the caller's language, and
nothing is written (issue 14, staff work). The tenant's own customer is accepted."""

from datetime import UTC, datetime

import pytest
from litestar.testing import AsyncTestClient

from core.clock import FrozenClock
from core.context import TenantRef, tenant_scope
from core.orders.tables import Order, Quote
from tenants.customers import create_customer
from tenants.tables import Tenant
from tests.conftest import make_app
from tests.tenants.helpers import staff_context
from tests.web.api_fixtures import TestPlugin, api_tenant

START = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


@pytest.fixture
async def world(settings):
    clock = FrozenClock(START)
    app = make_app(settings, plugins=[TestPlugin()], clock=clock)
    async with AsyncTestClient(app) as client:
        mine, theirs = await api_tenant(settings, clock), await api_tenant(settings, clock)
        yield client, mine, theirs, clock


async def _customer(shop, clock) -> int:
    tenant = await _tenant(shop.tenant_id)
    with tenant_scope(tenant):
        ctx = staff_context(tenant, 0, clock)
        return await create_customer(
            ctx, "株式会社テスト", "100-0001", "東京都", "千代田区千代田1-1", "03-1234-5678"
        )


async def _tenant(tenant_id: int) -> TenantRef:
    row = await Tenant.select().where(Tenant.id == tenant_id).first().run()
    return TenantRef(row["id"], row["slug"])


def _order(shop, customer_id: int) -> dict:
    return {
        "payment_method": "card",
        "lines": [{"product_id": shop.product_id}],
        "customer_id": customer_id,
    }


def _quote(shop, customer_id: int) -> dict:
    return {"lines": [{"product_id": shop.product_id}], "customer_id": customer_id}


async def _count(table, tenant_id: int) -> int:
    return await table.count().where(table.tenant_id == tenant_id).run()


@pytest.mark.parametrize(("lang", "words"), [("ja", "顧客"), ("en", "customer")])
async def test_another_tenants_customer_and_a_missing_one_are_refused(world, lang, words):
    client, mine, theirs, clock = world
    foreign = await _customer(theirs, clock)
    missing = foreign + 10_000
    headers = {**mine.headers, "Accept-Language": lang}
    for n, customer_id in enumerate((foreign, missing)):
        order = await client.post(
            "/api/v1/orders",
            json=_order(mine, customer_id),
            headers={**headers, "Idempotency-Key": f"customer-ref-{n}"},
        )
        assert order.status_code == 422, order.text
        (error,) = order.json()["errors"]
        assert error["field"] == "customer_id" and words in error["message"], error
        quote = await client.post("/api/v1/quotes", json=_quote(mine, customer_id), headers=headers)
        assert quote.status_code == 422, quote.text
        assert [e["field"] for e in quote.json()["errors"]] == ["customer_id"]
    assert await _count(Order, mine.tenant_id) == 0
    assert await _count(Quote, mine.tenant_id) == 0


async def test_a_quote_cannot_be_moved_to_another_tenants_customer(world):
    client, mine, theirs, clock = world
    own = await _customer(mine, clock)
    created = await client.post("/api/v1/quotes", json=_quote(mine, own), headers=mine.headers)
    assert created.status_code == 201, created.text
    quote = created.json()
    assert quote["customer_id"] == own
    foreign = await _customer(theirs, clock)
    moved = await client.put(
        f"/api/v1/quotes/{quote['id']}", json=_quote(mine, foreign), headers=mine.headers
    )
    assert moved.status_code == 422, moved.text
    assert [e["field"] for e in moved.json()["errors"]] == ["customer_id"]
    again = await client.get(f"/api/v1/quotes/{quote['id']}", headers=mine.headers)
    assert again.json()["customer_id"] == own


async def test_the_tenants_own_customer_is_accepted(world):
    client, mine, _, clock = world
    own = await _customer(mine, clock)
    order = await client.post(
        "/api/v1/orders",
        json=_order(mine, own),
        headers={**mine.headers, "Idempotency-Key": "customer-own-1"},
    )
    assert order.status_code == 201, order.text
    assert order.json()["customer_id"] == own
