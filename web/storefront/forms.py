"""Form parsing of the storefront: numbers typed by people, errors named by field."""

from __future__ import annotations

import unicodedata

from core.errors import FieldError

Errors = dict[str, FieldError]


def whole_number(errors: Errors, name: str, label: str, raw: str, low: int, high: int) -> int:
    """``raw`` as an int in ``[low, high]`` (full-width digits allowed); else an error on
    ``name`` that names the field by its ``label``, and ``low``."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text.isdigit():
        errors[name] = FieldError(
            name, "storefront.field.number", {"field": label, "low": low, "high": high}
        )
        return low
    value = int(text)
    if not low <= value <= high:
        errors[name] = FieldError(
            name, "storefront.field.range", {"field": label, "low": low, "high": high}
        )
        return low
    return value


def field_errors(errors: list[FieldError], prefix: str = "") -> Errors:
    """Service errors by form field: ``lines[0].fqdns`` becomes ``fqdns`` (one line per form)."""
    found: Errors = {}
    for error in errors:
        name = error.field
        if prefix and name.startswith(prefix):
            name = name[len(prefix) :]
        found.setdefault(name, FieldError(name, error.message_id, error.params))
    return found
