"""Checks on an invoice draft before it is numbered: contact, issuer, lines."""

from __future__ import annotations

from core.billing.contact import contact_errors
from core.billing.models import InvoiceDraft, Issuer
from core.errors import FieldError
from core.money import REDUCED_RATE, STANDARD_RATE
from core.registration_number import is_registration_number

TAX_RATES = (STANDARD_RATE, REDUCED_RATE)


def draft_errors(draft: InvoiceDraft) -> list[FieldError]:
    """Every reason ``draft`` cannot become an invoice; the billing contact's come first."""
    errors = contact_errors(draft.recipient) + issuer_errors(draft.issuer)
    if not draft.lines:
        errors.append(FieldError("lines", "billing.invoice.no_lines"))
    for n, line in enumerate(draft.lines):
        if not _whole(line.quantity) or line.quantity < 1:
            errors.append(FieldError(f"lines[{n}].quantity", "billing.line.quantity_invalid"))
        if not _whole(line.unit_price) or line.unit_price < 0:
            errors.append(FieldError(f"lines[{n}].unit_price", "billing.line.unit_price_invalid"))
        if line.tax_rate not in TAX_RATES:
            errors.append(FieldError(f"lines[{n}].tax_rate", "billing.line.tax_rate_invalid"))
        if not line.item.strip():
            errors.append(FieldError(f"lines[{n}].item", "billing.line.item_required"))
    return errors


def issuer_errors(issuer: Issuer) -> list[FieldError]:
    """An issuer that could not print a qualified invoice (適格請求書): no name, or a
    registration number that is not ``T`` + a 法人番号 with its check digit. Callers that
    store an issuer (a provider contract) check it here, before anything is invoiced."""
    errors = []
    if not issuer.name.strip():
        errors.append(FieldError("issuer.name", "billing.issuer.name_required"))
    if not is_registration_number(issuer.registration_number):
        errors.append(
            FieldError("issuer.registration_number", "billing.issuer.registration_number_invalid")
        )
    return errors


def _whole(value: object) -> bool:
    """An int and not a bool (money and quantities are never floats)."""
    return isinstance(value, int) and not isinstance(value, bool)
