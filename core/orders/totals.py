"""Line amounts and totals of quotes and orders, taxed once per rate by core.money."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from core.contracts.common import Yen
from core.money import STANDARD_RATE, Rounding, TaxTotal, tax_totals


@dataclass(frozen=True)
class TaxPolicy:
    """The tenant's tax settings: rounding rule (端数処理) and the rate certificates carry."""

    rounding: Rounding = Rounding.DOWN
    rate: int = STANDARD_RATE


@dataclass(frozen=True)
class Totals:
    subtotal: Yen
    tax: Yen
    total: Yen
    by_rate: tuple[TaxTotal, ...]

    def by_rate_json(self) -> list[dict[str, Any]]:
        return [{"rate": t.rate, "taxable": t.taxable, "tax": t.tax} for t in self.by_rate]


def compute_totals(lines: Iterable[tuple[Yen, int]], rounding: Rounding) -> Totals:
    """``(amount, rate)`` per line -> subtotal, tax (once per rate) and total."""
    by_rate = tuple(tax_totals(lines, rounding))
    subtotal = sum(t.taxable for t in by_rate)
    tax = sum(t.tax for t in by_rate)
    return Totals(subtotal=subtotal, tax=tax, total=subtotal + tax, by_rate=by_rate)
