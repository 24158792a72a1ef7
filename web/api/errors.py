"""Errors as JSON in the caller's language: every refusal names its field and says why."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response

from core.errors import FieldError, ValidationFailed
from core.i18n import Translator
from web.i18n import negotiate_language


def _translator(request: Request) -> Translator:
    web = request.app.state.web
    return Translator(web.catalogs, negotiate_language(request, web.settings.default_language))


def field_errors_body(translate: Translator, errors: list[FieldError]) -> dict[str, Any]:
    return {
        "errors": [
            {
                "field": error.field,
                "code": error.message_id,
                "message": translate(error.message_id, **error.params),
            }
            for error in errors
        ]
    }


def error_response(request: Request, status: int, errors: list[FieldError]) -> Response[Any]:
    return Response(field_errors_body(_translator(request), errors), status_code=status)


def validation_failed(request: Request, exc: ValidationFailed) -> Response[Any]:
    return error_response(request, 422, exc.errors)


def not_found(request: Request, exc: Exception) -> Response[Any]:
    """A missing object and another tenant's object look the same: 404, nothing more."""
    return error_response(request, 404, [FieldError("id", "api.not_found")])
