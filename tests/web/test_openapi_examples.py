"""The API's published schema documents every operation under ``/api/v1``: a summary or a
description, an example of its request body (when it has one) and an example of its success
response. The schema is the one the app serves at ``/api/v1/schema/openapi.json``, so a new
route is checked without editing this test."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import make_app

METHODS = ("get", "put", "post", "delete", "patch")


@pytest.fixture
async def schema(settings) -> dict[str, Any]:
    from litestar.testing import AsyncTestClient

    async with AsyncTestClient(make_app(settings)) as client:
        answer = await client.get("/api/v1/schema/openapi.json")
    assert answer.status_code == 200, answer.text
    return answer.json()


def _has_example(content: dict[str, Any] | None, components: dict[str, Any]) -> bool:
    """A media type with ``example``/``examples``, or a schema (or the component it points
    at) that carries them."""
    for media in (content or {}).values():
        if media.get("example") is not None or media.get("examples"):
            return True
        found = media.get("schema") or {}
        if "$ref" in found:
            found = components.get(found["$ref"].rsplit("/", 1)[1], {})
        if found.get("example") is not None or found.get("examples"):
            return True
    return False


def gaps(schema: dict[str, Any]) -> list[str]:
    components = schema.get("components", {}).get("schemas", {})
    found = []
    for path, item in schema["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            name = f"{method.upper()} {path}"
            if not (operation.get("summary") or operation.get("description")):
                found.append(f"{name}: no summary or description")
            body = operation.get("requestBody")
            if body and not _has_example(body.get("content"), components):
                found.append(f"{name}: no request body example")
            successes = [r for code, r in operation.get("responses", {}).items() if code[0] == "2"]
            if not successes:
                found.append(f"{name}: no success response")
            elif not any(
                _has_example(r.get("content"), components) or not r.get("content")
                for r in successes
            ):
                found.append(f"{name}: no success response example")
    return found


async def test_every_api_operation_has_a_summary_and_examples(schema):
    operations = [
        (path, method)
        for path, item in schema["paths"].items()
        if path.startswith("/api/v1/")
        for method in METHODS
        if method in item
    ]
    assert len(operations) >= 40, operations  # the walk sees the API
    missing = gaps(schema)
    assert not missing, "\n".join(missing)


def test_the_check_names_what_is_missing():
    schema = {
        "paths": {
            "/api/v1/things": {
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": {}}}},
                    "responses": {"201": {"content": {"application/json": {"schema": {}}}}},
                },
                "get": {
                    "summary": "List things",
                    "responses": {
                        "200": {
                            "content": {"application/json": {"schema": {"$ref": "#/c/s/Thing"}}}
                        }
                    },
                },
            },
            "/health": {"get": {"responses": {"200": {}}}},
        },
        "components": {"schemas": {"Thing": {"type": "object", "examples": [{"id": 1}]}}},
    }
    assert gaps(schema) == [
        "POST /api/v1/things: no summary or description",
        "POST /api/v1/things: no request body example",
        "POST /api/v1/things: no success response example",
    ]
