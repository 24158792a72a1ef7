"""Money: integer yen and consumption tax (消費税), computed once per invoice per rate.

Prices are tax-exclusive (税別). Tax is never computed per line: lines are summed per rate,
and each rate's sum is taxed and rounded once, by the tenant's chosen rule. That is what the
Qualified Invoice System (適格請求書) requires: three lines of ¥105 at 10 % are ¥315, tax ¥31
when rounding down (not 3 x ¥10 = ¥30).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from core.errors import FieldError, ValidationFailed

Yen = int

STANDARD_RATE = 10
"""消費税 standard rate, in percent. Certificates are always at the standard rate."""
REDUCED_RATE = 8


class Rounding(StrEnum):
    """How a tenant rounds a fraction of a yen of tax (端数処理)."""

    DOWN = "down"  # 切り捨て
    UP = "up"  # 切り上げ
    HALF_UP = "half_up"  # 四捨五入


@dataclass(frozen=True)
class TaxTotal:
    """One tax rate's part of an invoice: the taxable sum and its tax, both whole yen."""

    rate: int
    taxable: Yen
    tax: Yen

    @property
    def total(self) -> Yen:
        return self.taxable + self.tax


def tax_on(taxable: Yen, rate: int, rounding: Rounding) -> Yen:
    """Tax on one rate's tax-exclusive sum, in integer arithmetic (no floats anywhere)."""
    if isinstance(taxable, bool) or not isinstance(taxable, int):
        raise TypeError("money is integer yen")
    scaled = taxable * rate
    if rounding is Rounding.DOWN:
        return scaled // 100
    if rounding is Rounding.UP:
        return -(-scaled // 100)
    return (scaled + 50) // 100


def tax_totals(lines: Iterable[tuple[Yen, int]], rounding: Rounding) -> list[TaxTotal]:
    """``(amount, rate)`` lines -> one TaxTotal per rate, highest rate first."""
    sums: dict[int, Yen] = defaultdict(int)
    for amount, rate in lines:
        sums[rate] += amount
    return [
        TaxTotal(rate, sums[rate], tax_on(sums[rate], rate, rounding))
        for rate in sorted(sums, reverse=True)
    ]


def grand_total(totals: Iterable[TaxTotal]) -> Yen:
    return sum(t.total for t in totals)


MAX_YEN = 10**12
"""No price a person types is a trillion yen or more (a guard against a pasted number)."""
_YEN_TEXT = re.compile(r"[0-9]{1,3}(,[0-9]{3})+|[0-9]+")
_YEN_MARKS = ("¥", "\\", "円")


def parse_yen(raw: str, field: str = "amount", label: str = "") -> Yen:
    """Whole yen as a person types it: "22,000", full-width digits, "22000円", "¥22,000".

    Full-width digits and signs become ASCII (NFKC); a yen sign, 円 and spaces
    are ignored; thousands separators must sit every three digits. Anything else, a
    fraction or a negative amount is refused with ``money.yen_invalid`` on ``field``; given the
    field's ``label`` (in the reader's language), the message names it too."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    for mark in _YEN_MARKS:
        text = text.replace(mark, "")
    text = "".join(text.split())
    named = "_named" if label else ""
    params = {"value": raw, "label": label} if label else {"value": raw}
    if not _YEN_TEXT.fullmatch(text):
        raise ValidationFailed([FieldError(field, f"money.yen_invalid{named}", params)])
    value = int(text.replace(",", ""))
    if value >= MAX_YEN:
        raise ValidationFailed([FieldError(field, f"money.yen_too_large{named}", params)])
    return value
