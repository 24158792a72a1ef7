"""Per-product accepted payment methods through the API, and the tenant's enabled methods.

Checkout pages build the tenant's methods (``tenants.payment_methods.TenantPaymentMethods``)
with ``tenant_payment_methods(request)`` and ask ``core.catalog.payment_methods.accepted_methods``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from litestar import Controller, Request, get, put
from litestar.di import NamedDependency

from core.catalog.payment_methods import (
    ProductPaymentMethodsView,
    product_methods,
    set_product_methods,
)
from core.context import Context
from tenants.payment_methods import TenantPaymentMethods
from web.api.examples import PRODUCT_METHODS, PRODUCT_METHODS_IN, body, ok
from web.api.fields import PathId
from web.api.guards import requires_scope


def tenant_payment_methods(request: Request[Any, Any, Any]) -> TenantPaymentMethods:
    return TenantPaymentMethods(request.app.state.web.registry)


@dataclass
class PaymentMethodsIn:
    payment_methods: list[str] | None = field(
        metadata={
            "description": "Adapter codes the product accepts, each enabled for the tenant; "
            "null returns the product to the default (every enabled method).",
            "examples": [["card", "wallet"], ["bank_transfer"], None],
        }
    )


class ProductPaymentMethodsController(Controller):
    path = "/products/{product_id:int}/payment-methods"
    tags = ["products"]

    @get(
        "/",
        summary="Payment methods a product accepts",
        description="`methods` is what the product accepts now; `narrowed` is false while it "
        "follows the tenant's enabled methods (`enabled`).",
        guards=[requires_scope("orders:read")],
        responses=ok(ProductPaymentMethodsView, PRODUCT_METHODS),
    )
    async def get_methods(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        product_id: PathId,
    ) -> ProductPaymentMethodsView:
        return await product_methods(ctx, product_id, tenant_payment_methods(request))

    @put(
        "/",
        summary="Set the payment methods a product accepts",
        description="Refuses an unknown method or one the tenant has not enabled "
        "(`payment_methods[n]`), and an empty list. Orders whose payment method a line's "
        "product does not accept are refused on `payment_method`.",
        guards=[requires_scope("orders:write")],
        responses=ok(ProductPaymentMethodsView, PRODUCT_METHODS),
    )
    async def set_methods(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        product_id: PathId,
        data: Annotated[PaymentMethodsIn, body(PRODUCT_METHODS_IN)],
    ) -> ProductPaymentMethodsView:
        return await set_product_methods(
            ctx, product_id, data.payment_methods, tenant_payment_methods(request)
        )
