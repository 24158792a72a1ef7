"""The /api/v1 router: controllers, their dependencies, their error handlers."""

from __future__ import annotations

from litestar import Router
from litestar.di import Provide

from core.errors import NotFound, ValidationFailed
from web.api.auth import api_key_middleware
from web.api.customer_payments import CustomerPaymentMethodController
from web.api.deps import provide_ctx, provide_order_deps
from web.api.errors import not_found, validation_failed
from web.api.orders import OrderController
from web.api.payment_methods import ProductPaymentMethodsController
from web.api.payments import PAYMENT_CONTROLLERS
from web.api.quotes import QuoteController
from web.controllers.system import WorkerPingController
from web.storefront.api import CheckoutSessionController

API_PREFIX = "/api/v1"


def api_router() -> Router:
    return Router(
        path=API_PREFIX,
        route_handlers=[
            WorkerPingController,
            OrderController,
            QuoteController,
            *PAYMENT_CONTROLLERS,
            ProductPaymentMethodsController,
            CustomerPaymentMethodController,
            CheckoutSessionController,
        ],
        middleware=[api_key_middleware],
        dependencies={
            "ctx": Provide(provide_ctx, sync_to_thread=False),
            "order_deps": Provide(provide_order_deps),
        },
        exception_handlers={ValidationFailed: validation_failed, NotFound: not_found},
    )
