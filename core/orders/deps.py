"""What order and quote services need besides the context: providers, the tax policy and
the tenant's payment methods."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from core.catalog.payment_methods import EnabledPaymentMethods
from core.context import Context
from core.errors import FieldError
from core.orders.providers import ProviderGate
from core.orders.totals import TaxPolicy


class CustomerDirectory(Protocol):
    """The tenant's customers, as orders and quotes see them: ``exists`` is true only for a
    customer of ``ctx.tenant`` (another tenant's id reads as missing)."""

    async def exists(self, ctx: Context, customer_id: int) -> bool: ...


@dataclass(frozen=True)
class OrderDeps:
    """Built once per tenant request: the provider gate, the tenant's tax settings and its
    enabled payment methods (``None``: only the products' own narrowed lists restrict) and
    its customers (``None``: the caller already holds a customer of its own tenant)."""

    gate: ProviderGate
    tax: TaxPolicy
    payment_methods: EnabledPaymentMethods | None = None
    customers: CustomerDirectory | None = None


async def customer_errors(
    ctx: Context, customer_id: int | None, deps: OrderDeps
) -> list[FieldError]:
    """An order or quote is for no customer or for one of the tenant's own: a missing id and
    another tenant's id are both ``customer_id`` not found (nothing tells them apart)."""
    if customer_id is None or deps.customers is None:
        return []
    if await deps.customers.exists(ctx, customer_id):
        return []
    return [FieldError("customer_id", "orders.customer_unknown")]
