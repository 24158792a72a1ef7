"""The qualified-invoice issuer registration number (適格請求書発行事業者登録番号).

``T`` followed by 13 digits whose first digit is the check digit of the corporate number
(法人番号): 9 - (sum of the 12 base digits, weighted 1, 2, 1, 2 ... from the lowest, mod 9).
"""

from __future__ import annotations

import re

REGISTRATION_NUMBER = re.compile(r"^T(\d)(\d{12})$")


def check_digit(base: str) -> int:
    """The check digit of a 12-digit corporate-number base."""
    total = sum(int(d) * (1 if n % 2 else 2) for n, d in enumerate(reversed(base), start=1))
    return 9 - total % 9


def is_registration_number(value: str) -> bool:
    """``T`` + 13 digits with a correct check digit."""
    found = REGISTRATION_NUMBER.match(value)
    return bool(found) and int(found.group(1)) == check_digit(found.group(2))
