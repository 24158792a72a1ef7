"""What order and quote services need besides the context: providers, the tax policy and
the tenant's payment methods."""

from __future__ import annotations

from dataclasses import dataclass

from core.catalog.payment_methods import EnabledPaymentMethods
from core.orders.providers import ProviderGate
from core.orders.totals import TaxPolicy


@dataclass(frozen=True)
class OrderDeps:
    """Built once per tenant request: the provider gate, the tenant's tax settings and its
    enabled payment methods (``None``: only the products' own narrowed lists restrict)."""

    gate: ProviderGate
    tax: TaxPolicy
    payment_methods: EnabledPaymentMethods | None = None
