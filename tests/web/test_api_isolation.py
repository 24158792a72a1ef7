"""Every API route that takes an object id, walked from the OpenAPI schema: tenant B's key
gets 404 for tenant A's objects, whether the id is in the path, in the body (at any depth:
``lines[0].product_id``) or in the query (``?customer_id=``); an id in a body or query is
answered 404, or 422 naming the field. A new route is covered without editing this test, as
long as its ids name a kind of object this module knows how to create (``_objects``)."""

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


def _schema(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _is_id(name: str, schema: dict, components: dict) -> bool:
    """An integer field named ``…_id``: an object id (``wallet_id`` is a wallet's code)."""
    schema = _schema(schema, components)
    kinds = [schema, *schema.get("anyOf", []), *schema.get("oneOf", [])]
    return name.endswith("_id") and any(k.get("type") == "integer" for k in kinds)


def _id_fields(schema: dict, components: dict, seen: tuple[str, ...] = ()) -> set[str]:
    """The names of every id field of a body schema, at any depth."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return set() if name in seen else _id_fields(components[name], components, (*seen, name))
    found: set[str] = set()
    for key in ("oneOf", "anyOf", "allOf"):
        for inner in schema.get(key, []):
            found |= _id_fields(inner, components, seen)
    for name, prop in schema.get("properties", {}).items():
        found |= {name} if _is_id(name, prop, components) else _id_fields(prop, components, seen)
    if "items" in schema:
        found |= _id_fields(schema["items"], components, seen)
    return found


def _with_id(schema: dict, components: dict, target: str, value: int) -> object:
    """The smallest body the schema accepts, with ``target`` set to ``value`` wherever it is
    (an array holding it gets one item)."""
    schema = _schema(schema, components)
    for key in ("allOf", "oneOf", "anyOf"):
        if key in schema:
            branches = schema[key]
            chosen = next((b for b in branches if target in _id_fields(b, components)), None)
            return _with_id(chosen or branches[0], components, target, value)
    kind = schema.get("type")
    if kind == "object":
        body = {}
        for name, prop in schema.get("properties", {}).items():
            if name == target:
                body[name] = value
            elif name in schema.get("required", []) or target in _id_fields(prop, components):
                body[name] = _with_id(prop, components, target, value)
        return body
    if kind == "array":
        wanted = schema.get("minItems", 0) or target in _id_fields(schema["items"], components)
        return [_with_id(schema["items"], components, target, value)] if wanted else []
    if kind == "integer":
        return max(1, int(schema.get("minimum", 1)))
    return {"string": "card", "boolean": False}.get(kind)


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


def _refused(response, field: str) -> bool:
    """404, or 422 with an error on ``field`` (``customer_id``, ``lines[0].product_id``)."""
    if response.status_code != 422:
        return response.status_code == 404
    named = [e["field"] for e in response.json().get("errors", [])]
    return any(n.split(".")[-1] == field for n in named)


async def test_another_tenants_ids_in_bodies_and_queries_are_refused_on_every_route(settings):
    clock = FrozenClock(datetime(2026, 11, 22, 9, 0, tzinfo=UTC))
    app = make_app(settings, plugins=[TestPlugin()], clock=clock)
    async with AsyncTestClient(app) as client:
        owner, other = await api_tenant(settings, clock), await api_tenant(settings, clock)
        theirs, mine = await _objects(client, owner), await _objects(client, other)
        schema = (await client.get("/api/v1/schema/openapi.json")).json()
        components = schema.get("components", {}).get("schemas", {})
        walked = []
        for path, item in schema["paths"].items():
            if path.startswith(SKIP_PREFIXES):
                continue
            url = path.format(**mine)  # the caller's own objects in the path
            for method, operation in item.items():
                if method not in ("get", "post", "put", "patch", "delete"):
                    continue
                content = operation.get("requestBody", {}).get("content", {})
                body_schema = content.get("application/json", {}).get("schema", {})
                in_body = _id_fields(body_schema, components)
                in_query = {
                    p["name"]
                    for p in operation.get("parameters", [])
                    if p["in"] == "query" and _is_id(p["name"], p["schema"], components)
                }
                unknown = (in_body | in_query) - set(theirs)
                assert not unknown, f"{path}: teach this test to create a {unknown} object"
                for name in sorted(in_body | in_query):
                    headers = {**other.headers, "Idempotency-Key": f"refs-{len(walked):04d}"}
                    body = (
                        _with_id(body_schema, components, name, theirs[name])
                        if name in in_body
                        else None
                    )
                    params = {name: theirs[name]} if name in in_query else None
                    response = await client.request(
                        method.upper(), url, json=body, params=params, headers=headers
                    )
                    assert _refused(response, name), (
                        f"{method.upper()} {path} {name}: {response.text}"
                    )
                    walked.append((method, path, name))
        assert {(m, p) for m, p, _ in walked} >= {
            ("post", "/api/v1/orders"),
            ("post", "/api/v1/quotes"),
            ("get", "/api/v1/orders"),
            ("post", "/api/v1/digicert/certificates"),
            ("post", "/api/v1/digicert/certificate-orders"),
        }, walked
