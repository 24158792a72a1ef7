"""A customer's payment method and automatic renewal through the API.

``GET /api/v1/customers/{id}/payment-method`` (``customers:read``), ``PUT`` the same
(``customers:write``) and ``POST …/payment-method/reset`` (``customers:write``). The rules are
``core.renewal``'s, stored by ``core.payments.renewal_settings``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from litestar import Controller, Request, get, post, put
from litestar.di import NamedDependency

from core.context import Context
from core.errors import NotFound
from core.payments.renewal_settings import (
    CustomerPaymentView,
    choose_payment_method,
    payment_setting,
    reset_payment_method,
)
from tenants.scoping import scoped
from tenants.tables import Customer
from web.api.examples import CUSTOMER_PAYMENT, CUSTOMER_PAYMENT_IN, RESET_PAYMENT, body, ok
from web.api.fields import PathId
from web.api.guards import requires_scope
from web.api.payment_methods import tenant_payment_methods


async def known_customer(ctx: Context, customer_id: int) -> None:
    """404 for a customer that is not the tenant's."""
    if not await scoped(Customer, ctx).exists().where(Customer.id == customer_id):
        raise NotFound("api.not_found", customer_id)


@dataclass
class PaymentMethodIn:
    payment_method: str = field(metadata={"examples": ["card", "wallet", "bank_transfer"]})
    renewal_day: int | None = field(
        default=None,
        metadata={"description": "wallet only: 5, 10, 15, 20 or 25", "examples": [10]},
    )
    saved_method_ref: str | None = field(
        default=None,
        metadata={
            "description": "card: the saved cus_…/pm_…; wallet: the wallet ID",
            "examples": ["cus_123/pm_456"],
        },
    )


class CustomerPaymentMethodController(Controller):
    path = "/customers/{customer_id:int}/payment-method"
    tags = ["customers"]

    @get(
        "/",
        summary="The customer's payment method and automatic renewal",
        guards=[requires_scope("customers:read")],
        responses=ok(CustomerPaymentView, CUSTOMER_PAYMENT),
    )
    async def show(self, ctx: NamedDependency[Context], customer_id: PathId) -> CustomerPaymentView:
        await known_customer(ctx, customer_id)
        return await payment_setting(ctx, customer_id)

    @put(
        "/",
        summary="Choose the payment method (card and wallet renew automatically)",
        description="Card and wallet set automatic renewal, bank transfer does not; the "
        "wallet needs `renewal_day` (5, 10, 15, 20 or 25). The method must be enabled for "
        "the tenant.",
        guards=[requires_scope("customers:write")],
        responses=ok(CustomerPaymentView, CUSTOMER_PAYMENT),
    )
    async def choose(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        customer_id: PathId,
        data: Annotated[PaymentMethodIn, body(CUSTOMER_PAYMENT_IN)],
    ) -> CustomerPaymentView:
        await known_customer(ctx, customer_id)
        return await choose_payment_method(
            ctx,
            customer_id,
            data.payment_method,
            data.renewal_day,
            data.saved_method_ref,
            tenant_payment_methods(request),
        )

    @post(
        "/reset",
        summary="Reset the payment method (支払い方法をリセットする)",
        description="Clears automatic renewal and the saved card; the wallet is unlinked.",
        guards=[requires_scope("customers:write")],
        status_code=200,
        responses=ok(CustomerPaymentView, RESET_PAYMENT),
    )
    async def reset(
        self, ctx: NamedDependency[Context], customer_id: PathId
    ) -> CustomerPaymentView:
        await known_customer(ctx, customer_id)
        return await reset_payment_method(ctx, customer_id)
