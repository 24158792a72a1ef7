"""Guards: small functions that refuse a request before its handler runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers import BaseRouteHandler

Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]


def requires_scope(scope: str) -> Guard:
    """The API key must carry ``scope`` (for example ``orders:write``)."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if not connection.scope["state"]["principal"].allows(scope):
            raise PermissionDeniedException(f"this API key lacks the scope {scope}")

    return guard
