"""Errors of the catalog that a user can see: each carries a message id of locale/{ja,en}.json."""

from __future__ import annotations

from core.errors import FieldError, ShomeiError, ValidationFailed


class NotFound(ShomeiError):
    """No such row belongs to the tenant (another tenant's row is reported the same way)."""

    def __init__(self, message_id: str, ident: object) -> None:
        self.message_id = message_id
        self.params: dict[str, object] = {"id": ident}
        super().__init__(f"{message_id}: {ident!r}")


def refuse(field: str, message_id: str, **params: object) -> ValidationFailed:
    """A ValidationFailed with one field error, ready to raise."""
    return ValidationFailed([FieldError(field, message_id, dict(params))])
