"""What order and quote services need besides the context: providers and the tax policy."""

from __future__ import annotations

from dataclasses import dataclass

from core.orders.providers import ProviderGate
from core.orders.totals import TaxPolicy


@dataclass(frozen=True)
class OrderDeps:
    """Built once per tenant request: the provider gate and the tenant's tax settings."""

    gate: ProviderGate
    tax: TaxPolicy
