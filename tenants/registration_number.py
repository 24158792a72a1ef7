"""Checking a registration number typed into a form; the rule itself is in
``core.registration_number``."""

from __future__ import annotations

from core.errors import FieldError
from core.registration_number import (
    check_digit,
    is_corporate_number,
    normalise_registration_number,
)

__all__ = [
    "check_digit",
    "check_registration_number",
    "is_corporate_number",
    "normalise_registration_number",
]


def check_registration_number(raw: str, field: str = "registration_number") -> list[FieldError]:
    """Errors for a registration number, empty when ``T`` + a valid 法人番号."""
    number = normalise_registration_number(raw)
    if not number:
        return [FieldError(field, "tenants.field_required")]
    if not number.startswith("T") or len(number) != 14 or not number[1:].isdigit():
        return [FieldError(field, "tenants.registration_number_format")]
    if not is_corporate_number(number[1:]):
        return [FieldError(field, "tenants.registration_number_check_digit")]
    return []
