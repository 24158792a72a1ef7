"""Errors of the catalog that a user can see: each carries a message id of locale/{ja,en}.json."""

from __future__ import annotations

from core.errors import FieldError, ValidationFailed


def refuse(field: str, message_id: str, **params: object) -> ValidationFailed:
    """A ValidationFailed with one field error, ready to raise."""
    return ValidationFailed([FieldError(field, message_id, dict(params))])
