"""Every API route that takes an object id, walked from the OpenAPI schema: tenant B's key
gets 404 for tenant A's objects. A new route is covered without editing this test, as long as
its id parameter names a kind of object this module knows how to create (``OBJECTS``)."""

import re
from datetime import UTC, datetime

from litestar.testing import AsyncTestClient

from core.clock import FrozenClock
from tests.conftest import make_app
from tests.plugins.bank_transfer.builder import Transfer, notice_file
from tests.plugins.digicert.shop import isolation_objects
from tests.web.api_fixtures import TestPlugin, api_tenant
from tests.web.payments_shop import payment_objects

SKIP_PREFIXES = ("/api/v1/system",)  # ops routes: operator token, no tenant objects


async def _objects(client, shop) -> dict[str, int]:
    """One object of each kind, owned by ``shop``, by the path parameter that names it."""
    order = await client.post(
        "/api/v1/orders",
        json={"payment_method": "card", "lines": [{"product_id": shop.product_id}]},
        headers={**shop.headers, "Idempotency-Key": "isolation-order-1"},
    )
    quote = await client.post(
        "/api/v1/quotes", json={"lines": [{"product_id": shop.product_id}]}, headers=shop.headers
    )
    ids = {"order_id": order.json()["id"], "quote_id": quote.json()["id"]}
    transfer = notice_file([Transfer(1_000, "ﾀﾞﾚｶ ｻﾝ")])  # nobody's: an unmatched bank line
    await client.post("/api/v1/bank-transfers/imports", content=transfer, headers=shop.headers)
    (line,) = (await client.get("/api/v1/bank-transfers/unmatched", headers=shop.headers)).json()
    ids["line_id"] = line["id"]
    session = await client.post(
        "/api/v1/checkout-sessions",
        json={
            "lines": [{"product_id": shop.product_id}],
            "success_url": "https://panel.example.jp/done",
            "cancel_url": "https://panel.example.jp/",
        },
        headers=shop.headers,
    )
    ids["session_id"] = session.json()["id"]
    ids |= await payment_objects(shop)
    return ids | await isolation_objects(shop.tenant_id, datetime.now(UTC))


def _minimal(schema: dict, components: dict) -> object:
    """The smallest body the schema accepts, so the request reaches its handler."""
    if "$ref" in schema:
        return _minimal(components[schema["$ref"].rsplit("/", 1)[1]], components)
    if "oneOf" in schema or "anyOf" in schema:
        return _minimal((schema.get("oneOf") or schema["anyOf"])[0], components)
    if "allOf" in schema:  # a body with examples: {"allOf": [{"$ref": ...}], "examples": [...]}
        return _minimal(schema["allOf"][0], components)
    kind = schema.get("type")
    if kind == "object":
        return {
            name: _minimal(schema["properties"][name], components)
            for name in schema.get("required", [])
        }
    return {"integer": 1, "string": "card", "array": [], "boolean": False}.get(kind)


async def test_another_tenants_objects_are_not_found_on_every_id_route(settings):
    clock = FrozenClock(datetime(2026, 11, 22, 9, 0, tzinfo=UTC))
    app = make_app(settings, plugins=[TestPlugin()], clock=clock)
    async with AsyncTestClient(app) as client:
        owner, other = await api_tenant(settings, clock), await api_tenant(settings, clock)
        ids = await _objects(client, owner)
        schema = (await client.get("/api/v1/schema/openapi.json")).json()
        components = schema.get("components", {}).get("schemas", {})
        walked = []
        for path, item in schema["paths"].items():
            params = re.findall(r"{(\w+)}", path)
            if not params or path.startswith(SKIP_PREFIXES):
                continue
            unknown = [p for p in params if p not in ids]
            assert not unknown, f"{path}: teach this test to create a {unknown} object"
            url = path.format(**ids)
            for method, operation in item.items():
                if method not in ("get", "post", "put", "patch", "delete"):
                    continue
                body = None
                if "requestBody" in operation:
                    content = operation["requestBody"]["content"]["application/json"]
                    body = _minimal(content["schema"], components)
                headers = {**other.headers, "Idempotency-Key": f"walk-{method}-{len(walked)}"}
                response = await client.request(method.upper(), url, json=body, headers=headers)
                assert response.status_code == 404, f"{method.upper()} {path}: {response.text}"
                walked.append((method, path))
        assert len(walked) >= 5, walked
        for path in ("/api/v1/orders/{order_id}", "/api/v1/quotes/{quote_id}"):
            mine = await client.get(path.format(**ids), headers=owner.headers)
            assert mine.status_code == 200, f"the owner still has {path}"
