"""Ids inside request bodies and queries, resolved in the caller's tenant before any handler runs.

A route guard (``resolve_refs``, on every router ``tenant_api_router`` builds) finds each field
named in ``REFERENCES`` (at any depth of a JSON body, or as a query parameter) and looks the
ids up in the API key's tenant, one query per kind. An id of another tenant, or of no one,
is refused with 422 naming the field (``lines[0].customer_id``, ``customer_id``), exactly as
an unknown id: the caller learns nothing about other tenants. The OpenAPI walk of
``tests/web/test_api_isolation.py`` sends another tenant's ids in every such field of every
route, so a route outside these routers, or a new kind of id, fails it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler
from piccolo.table import Table

from core.errors import FieldError, ValidationFailed
from tenants.scoping import scoped
from tenants.tables import Customer
from web.api.fields import MAX_ID


@dataclass(frozen=True)
class Reference:
    """A field name and the tenant-owned table its ids point into."""

    table: type[Table]
    message_id: str


REFERENCES: dict[str, Reference] = {
    "customer_id": Reference(Customer, "api.unknown_customer"),
}


def _found_in(value: Any, path: str) -> Iterator[tuple[str, str, Any]]:
    """(field path, field name, value) of every reference field inside a decoded JSON body."""
    if isinstance(value, dict):
        for key, inner in value.items():
            here = f"{path}.{key}" if path else str(key)
            if key in REFERENCES:
                yield here, key, inner
            else:
                yield from _found_in(inner, here)
    elif isinstance(value, list):
        for position, inner in enumerate(value):
            yield from _found_in(inner, f"{path}[{position}]")


async def _references(connection: ASGIConnection[Any, Any, Any, Any]) -> list[tuple[str, str, Any]]:
    found: list[tuple[str, str, Any]] = [
        (name, name, value)
        for name, value in connection.query_params.items()
        if name in REFERENCES and value != ""
    ]
    if connection.scope.get("method") in ("POST", "PUT", "PATCH"):
        request: Request[Any, Any, Any] = Request(connection.scope, connection.receive)
        # JSON only: a multipart body must stay unread for the handler's form parser
        body = await request.body() if request.content_type[0] == "application/json" else b""
        if body:
            try:
                decoded = json.loads(body)
            except (ValueError, RecursionError):  # malformed JSON: the body parser answers 400
                decoded = None
            found.extend(_found_in(decoded, ""))
    return found


def _as_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    return value if isinstance(value, int) and 1 <= value <= MAX_ID else None


async def resolve_refs(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Refuse (422) every id of ``REFERENCES`` that is not the caller's tenant's."""
    wanted: dict[str, set[int]] = {}
    fields: list[tuple[str, str, int]] = []
    errors: list[FieldError] = []
    for path, name, value in await _references(connection):
        if value is None:
            continue
        ident = _as_id(value)
        if ident is None:
            errors.append(FieldError(path, REFERENCES[name].message_id))
            continue
        wanted.setdefault(name, set()).add(ident)
        fields.append((path, name, ident))
    known: dict[str, set[int]] = {}
    for name, ids in wanted.items():
        table = REFERENCES[name].table
        rows = await scoped(table).select(table.id).where(table.id.is_in(sorted(ids))).run()
        known[name] = {row["id"] for row in rows}
    errors.extend(
        FieldError(path, REFERENCES[name].message_id)
        for path, name, ident in fields
        if ident not in known[name]
    )
    if errors:
        raise ValidationFailed(errors)
