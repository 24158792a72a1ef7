"""Errors of the tenants app. Anything a user can cause is a ``ValidationFailed`` of message ids."""

from __future__ import annotations

from typing import NoReturn

from core.errors import FieldError, ShomeiError, ValidationFailed
from core.sealing import SealedUnreadable


def refuse(field: str, message_id: str, **params: object) -> NoReturn:
    """Raise ``ValidationFailed`` with one field error (message ids live in tenants/locale)."""
    raise ValidationFailed([FieldError(field, message_id, dict(params))])


def raise_if(errors: list[FieldError]) -> None:
    """Raise ``ValidationFailed`` when ``errors`` is not empty."""
    if errors:
        raise ValidationFailed(errors)


class PermissionDenied(ShomeiError):
    """The acting staff member's role lacks the permission; ``message_id`` is user-facing."""

    message_id = "tenants.permission_denied"

    def __init__(self, permission: str) -> None:
        self.permission = permission
        super().__init__(f"permission {permission!r} denied")


CredentialsUnreadable = SealedUnreadable
"""Sealed credentials could not be opened: unknown key id, wrong tenant or tampering."""
