"""Constrained field types of the API's request bodies and parameters: every limit is checked
once, at the edge, by the type, and shown in the OpenAPI schema.

``Id`` is an object id (1 … 2**31 - 1, a PostgreSQL ``integer``); ``Count`` a small count such as
a quantity; ``Amount`` yen; ``text(n)`` a string of at most ``n`` characters without NUL (what
the column holds); ``items(T, n)`` a list of at most ``n`` items (``MAX_LINES`` for order
lines: more than a seller ever sends, fewer than the database's bind-parameter limit).
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar.params import KwargDefinition, PathParameter, QueryParameter
from msgspec import Meta

MAX_ID = 2**31 - 1
MAX_INT = 2**31 - 1
MAX_COUNT = 10_000
MAX_LINES = 500
NO_NUL = "^[^\\x00]*$"


def _int(ge: int, le: int) -> Any:
    return Annotated[int, Meta(ge=ge, le=le), KwargDefinition(ge=ge, le=le)]


Id = _int(1, MAX_ID)
Count = _int(0, MAX_COUNT)
Amount = _int(0, MAX_INT)
PathId = Annotated[int, PathParameter(ge=1, le=MAX_ID)]
QueryId = Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)]


def text(max_length: int, min_length: int = 0) -> Any:
    """A string of ``min_length`` … ``max_length`` characters, none of them NUL."""
    return Annotated[
        str,
        Meta(min_length=min_length, max_length=max_length, pattern=NO_NUL),
        KwargDefinition(min_length=min_length or None, max_length=max_length, pattern=NO_NUL),
    ]


def items(item: Any, max_items: int, min_items: int = 0) -> Any:
    """A list of ``min_items`` … ``max_items`` items."""
    return Annotated[
        list[item],
        Meta(min_length=min_items, max_length=max_items),
        KwargDefinition(min_items=min_items or None, max_items=max_items),
    ]
