"""The billing contact (請求先「事務担当者」) and the rule that no invoice is made without it.

Organisation name, postal code and prefecture are required before any voucher, order or
invoice; the refusals carry the seed's wording in English (``organization_name is a required
parameter`` ...) and a Japanese equivalent, through message ids in ``core/billing/locale``.
A malformed postal code or an unknown prefecture is an invalid address; the e-mail address is
optional but must look like one when given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.errors import FieldError, ValidationFailed
from core.prefectures import is_prefecture

POSTAL_CODE = re.compile(r"^\d{3}-?\d{4}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class BillingContact:
    """Who an invoice is addressed to: the organisation (宛先, printed with 御中) and its clerk."""

    organization_name: str
    postal_code: str
    prefecture: str
    address: str = ""  # city, street and building, after the prefecture
    contact_name: str = ""
    phone: str = ""
    email: str = ""
    country: str = "Japan"


def contact_errors(contact: BillingContact) -> list[FieldError]:
    """Every problem of ``contact``, in form order; empty when an invoice may be made."""
    errors: list[FieldError] = []
    if not contact.organization_name.strip():
        errors.append(FieldError("organization_name", "billing.contact.organization_name_required"))
    postal = contact.postal_code.strip()
    if not postal:
        errors.append(FieldError("postal_code", "billing.contact.postal_code_required"))
    elif not POSTAL_CODE.match(postal):
        errors.append(FieldError("postal_code", "billing.contact.address_invalid"))
    if not is_prefecture(contact.prefecture):
        errors.append(FieldError("prefecture", "billing.contact.address_invalid"))
    if contact.email.strip() and not EMAIL.match(contact.email.strip()):
        errors.append(FieldError("email", "billing.contact.email_invalid"))
    return errors


def require_billing_contact(contact: BillingContact) -> None:
    """Refuse with ``ValidationFailed`` unless ``contact`` is complete."""
    errors = contact_errors(contact)
    if errors:
        raise ValidationFailed(errors)
