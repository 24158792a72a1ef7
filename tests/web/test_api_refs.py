"""Ids in request bodies and queries are resolved in the API key's tenant (issue 13, defect 4):
another tenant's customer, or a customer of no one, is refused with 422 on ``customer_id``
before anything is written; the caller's own customer is accepted."""

from datetime import UTC, datetime

import pytest
from litestar.testing import AsyncTestClient

from core.clock import FrozenClock
from core.context import Actor, Context, tenant_scope
from tenants.customers import create_customer
from tests.conftest import make_app
from tests.web.api_fixtures import TestPlugin, api_tenant

NOBODYS = 2_000_000_000


@pytest.fixture
def clock():
    return FrozenClock(datetime(2026, 11, 22, 9, 0, tzinfo=UTC))


async def _customer(shop, clock) -> int:
    from core.context import system_scope
    from tenants.onboarding import tenant_ref
    from tenants.tables import Tenant

    with system_scope("test: read the tenant"):
        tenant = tenant_ref(await Tenant.objects().where(Tenant.id == shop.tenant_id).first())
    with tenant_scope(tenant):
        ctx = Context(tenant, Actor.system("test"), clock)
        return await create_customer(
            ctx, "株式会社テスト", "100-0001", "東京都", "千代田区1-1", "03-1234-5678"
        )


async def test_customer_ids_of_another_tenant_or_of_no_one_are_refused(settings, clock):
    async with AsyncTestClient(make_app(settings, plugins=[TestPlugin()], clock=clock)) as api:
        owner, other = await api_tenant(settings, clock), await api_tenant(settings, clock)
        theirs, mine = await _customer(owner, clock), await _customer(other, clock)
        headers = {**other.headers, "Accept-Language": "en"}
        line = [{"product_id": other.product_id}]
        for number, customer_id in enumerate((theirs, NOBODYS)):
            order = await api.post(
                "/api/v1/orders",
                json={"payment_method": "card", "lines": line, "customer_id": customer_id},
                headers={**headers, "Idempotency-Key": f"refs-order-{number}"},
            )
            quote = await api.post(
                "/api/v1/quotes", json={"lines": line, "customer_id": customer_id}, headers=headers
            )
            listed = await api.get(f"/api/v1/orders?customer_id={customer_id}", headers=headers)
            for response in (order, quote, listed):
                assert response.status_code == 422, response.text
                (error,) = response.json()["errors"]
                assert error["field"] == "customer_id"
                assert error["message"] == "No such customer in this account."
        assert (await api.get("/api/v1/orders", headers=headers)).json() == []
        own = await api.post(
            "/api/v1/orders",
            json={"payment_method": "card", "lines": line, "customer_id": mine},
            headers={**headers, "Idempotency-Key": "refs-order-mine"},
        )
        assert own.status_code == 201, own.text
        assert own.json()["customer_id"] == mine
