"""Every response carries nosniff and refuses framing; refusals are not logged as errors, and a
real server error is logged once with its traceback and answered with a bare 500."""

import logging

import pytest
from litestar import get
from litestar.testing import AsyncTestClient

from core.clock import FrozenClock
from core.hookspecs import hookimpl
from tenants.tables import Tenant
from tests.conftest import make_app
from tests.tenants.helpers import START
from tests.web.api_fixtures import TestPlugin, api_tenant


@get("/test/boom", sync_to_thread=False)
def boom() -> str:
    raise RuntimeError("secret inner detail")


class BoomPlugin:
    @hookimpl
    def register_routes(self):
        return [boom]


@pytest.fixture
async def boom_client(settings):
    async with AsyncTestClient(make_app(settings, plugins=[BoomPlugin()])) as client:
        yield client


@pytest.mark.parametrize(
    "path", ["/", "/health", "/api/v1/schema/docs", "/api/v1/schema/openapi.json", "/nowhere"]
)
async def test_every_response_has_nosniff_and_refuses_framing(client, path):
    response = await client.get(path)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


async def test_a_page_keeps_its_own_policy(client):
    response = await client.get("/console/login")
    policies = response.headers.get_list("content-security-policy")
    assert len(policies) == 1 and "default-src 'self'" in policies[0]
    assert response.headers["x-frame-options"] == "DENY"
    refused = await client.get("/console/login?q=%00")  # answered by the input-limits middleware
    assert refused.status_code == 400
    assert refused.headers["x-content-type-options"] == "nosniff"


async def test_refusals_are_not_logged_as_errors(settings, caplog):
    """A refusal raised inside a handler (NotFound, ValidationFailed) is answered by its
    handler and logs no error: the after-exception hook used to log each as 'unhandled'."""
    clock = FrozenClock(START)
    shop = await api_tenant(settings, clock)
    app = make_app(settings, plugins=[TestPlugin()], clock=clock)
    caplog.set_level(logging.INFO)
    async with AsyncTestClient(app) as client:
        missing = await client.get("/api/v1/orders/2000000000", headers=shop.headers)
        refused = await client.post(
            "/api/v1/orders",
            json={
                "payment_method": "card",
                "lines": [{"product_id": shop.product_id, "term_months": 7}],
            },
            headers={**shop.headers, "Idempotency-Key": "hygiene-1"},
        )
        no_key = await client.get("/api/v1/orders/1", headers={"X-API-Key": "sk_nothing"})
        unknown = await client.get("/no/such/page")
    statuses = (missing.status_code, refused.status_code, no_key.status_code, unknown.status_code)
    assert statuses == (404, 422, 401, 404), refused.text
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    slug = await Tenant.select(Tenant.slug).where(Tenant.id == shop.tenant_id).first()
    requests = {(r.path, r.status): r for r in caplog.records if r.name == "shomei.request"}
    assert requests[("/api/v1/orders/2000000000", 404)].tenant == slug["slug"]


async def test_a_server_error_is_logged_once_and_answered_bare(boom_client, caplog):
    caplog.set_level(logging.INFO)
    response = await boom_client.get("/test/boom")
    assert response.status_code == 500
    assert "secret inner detail" not in response.text
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert record.getMessage() == "unhandled error" and record.exc_info is not None
    assert response.headers["x-content-type-options"] == "nosniff"
