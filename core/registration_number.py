"""Qualified-invoice registration numbers (適格請求書発行事業者登録番号): ``T`` + 法人番号.

The 法人番号 is 13 digits: a check digit followed by the 12-digit base number (基礎番号). The
check digit is fixed by 財務省令第七十号 (法人番号の指定等に関する省令) 第二条:

    9 - ((sum over n = 1..12 of Pn * Qn) mod 9)

where Pn is the n-th digit of the base number counted from its lowest (rightmost) digit and
Qn is 1 when n is odd, 2 when n is even. The result is always 1..9, so a 法人番号 never starts
with 0. Example: 国税庁's own number 7000012050002.
"""

from __future__ import annotations

import unicodedata


def check_digit(base: str) -> int:
    """The check digit of a 12-digit base number."""
    if len(base) != 12 or not base.isascii() or not base.isdigit():
        raise ValueError("a 法人番号 base number has exactly 12 digits")
    total = sum(
        int(digit) * (1 if position % 2 == 1 else 2)
        for position, digit in enumerate(reversed(base), start=1)
    )
    return 9 - total % 9


def is_corporate_number(number: str) -> bool:
    """True for 13 digits whose first digit is the check digit of the other twelve."""
    if len(number) != 13 or not number.isascii() or not number.isdigit():
        return False
    return int(number[0]) == check_digit(number[1:])


def normalise_registration_number(raw: str) -> str:
    """Full-width characters, spaces and hyphens removed; ``t`` upper-cased."""
    text = unicodedata.normalize("NFKC", raw).strip().upper()
    return text.replace(" ", "").replace("-", "")


def is_registration_number(value: str) -> bool:
    """``T`` + 13 digits with a correct check digit (exactly as printed on an invoice)."""
    return value.startswith("T") and is_corporate_number(value[1:])
