"""The /api/v1 routers: controllers, their dependencies, their guards, their error handlers.

``tenant_api_router`` is the one way to mount tenant API routes (core's and the plugins'):
the API-key middleware (the request runs in the key's tenant scope), the ``ctx`` dependency,
the ``resolve_refs`` guard (ids in bodies and queries are the tenant's) and the error handlers
(every refusal as ``web.api.errors.ErrorsOut``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from litestar import Router
from litestar.di import Provide
from litestar.exceptions import HTTPException, ValidationException

from core.errors import NotFound, ValidationFailed
from web.api.auth import api_key_middleware
from web.api.customer_payments import CustomerPaymentMethodController
from web.api.deps import provide_ctx, provide_order_deps
from web.api.errors import http_error, invalid_input, not_found, validation_failed
from web.api.orders import OrderController
from web.api.payment_methods import ProductPaymentMethodsController
from web.api.payments import PAYMENT_CONTROLLERS
from web.api.quotes import QuoteController
from web.api.refs import resolve_refs
from web.controllers.system import WorkerPingController
from web.storefront.api import CheckoutSessionController

API_PREFIX = "/api/v1"


def tenant_api_router(
    path: str,
    route_handlers: Sequence[Any],
    *,
    dependencies: Mapping[str, Provide] | None = None,
    exception_handlers: Mapping[type[Exception], Any] | None = None,
) -> Router:
    """A router of tenant API routes under ``path`` (``/api/v1`` or below)."""
    return Router(
        path=path,
        route_handlers=list(route_handlers),
        middleware=[api_key_middleware],
        guards=[resolve_refs],
        dependencies={"ctx": Provide(provide_ctx, sync_to_thread=False), **(dependencies or {})},
        exception_handlers={
            ValidationFailed: validation_failed,
            NotFound: not_found,
            ValidationException: invalid_input,
            HTTPException: http_error,
            **(exception_handlers or {}),
        },
    )


def api_router() -> Router:
    return tenant_api_router(
        API_PREFIX,
        [
            WorkerPingController,
            OrderController,
            QuoteController,
            *PAYMENT_CONTROLLERS,
            ProductPaymentMethodsController,
            CustomerPaymentMethodController,
            CheckoutSessionController,
        ],
        dependencies={"order_deps": Provide(provide_order_deps)},
    )
