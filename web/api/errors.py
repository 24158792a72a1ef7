"""Errors as JSON in the caller's language: every refusal names its field and says why.

Every 4xx of the API has one shape, ``ErrorsOut``: refusals of the services
(``ValidationFailed``, 422; ``NotFound``, 404), of the key middleware (401, 429), of the guards
(403) and of the constrained field types (``web.api.fields``: Litestar's ``ValidationException``,
400, whose English msgspec messages are turned into message ids here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.exceptions.responses import create_exception_response

from core.errors import FieldError, ValidationFailed
from core.i18n import Translator
from web.i18n import negotiate_language


@dataclass
class ErrorOut:
    field: str
    code: str
    message: str


@dataclass
class ErrorsOut:
    """Why the request was refused: one entry per field (``lines[0].quantity``)."""

    errors: list[ErrorOut]


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


# msgspec's messages for the constrained types, by message id of core/web catalogs
_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"Expected `(?:int|float)` <= (?P<limit>-?\d+)"), "api.invalid.too_large"),
    (re.compile(r"Expected `(?:int|float)` >= (?P<limit>-?\d+)"), "api.invalid.too_small"),
    (re.compile(r"Expected `str` of length <= (?P<limit>\d+)"), "api.invalid.too_long"),
    (re.compile(r"Expected `str` of length >= (?P<limit>\d+)"), "api.invalid.too_short"),
    (re.compile(r"`(?:array|object)` of length <= (?P<limit>\d+)"), "api.invalid.too_many"),
    (re.compile(r"`(?:array|object)` of length >= (?P<limit>\d+)"), "api.invalid.too_few"),
    (re.compile(r"matching regex"), "api.invalid.characters"),
    (re.compile(r"missing required field `(?P<name>[^`]+)`"), "api.invalid.required"),
    (re.compile(r"Missing required \w+ parameter '(?P<name>[^']+)'"), "api.invalid.required"),
    (re.compile(r"Expected `(?P<kind>\w+)`, got"), "api.invalid.type"),
)


def _field_error(item: dict[str, Any]) -> FieldError:
    message, key = str(item.get("message", "")), str(item.get("key") or "body")
    for pattern, message_id in _MESSAGES:
        found = pattern.search(message)
        if found:
            params = found.groupdict()
            if "name" in params:  # "Object missing required field `x` - at `$.lines[0]`"
                name = params.pop("name")
                key = name if key in ("body", name) else f"{key}.{name}"
            return FieldError(key, message_id, params)
    return FieldError(key, "api.invalid.value")


def invalid_input(request: Request, exc: ValidationException) -> Response[Any]:
    """A value outside its type's limits, or of the wrong type: 400 naming each field."""
    extra = exc.extra if isinstance(exc.extra, list) else []
    errors = [_field_error(item) for item in extra if isinstance(item, dict)]
    if not errors and exc.detail:  # a missing parameter: the name is in the detail only
        errors = [_field_error({"message": exc.detail})]
        errors = [error for error in errors if error.message_id != "api.invalid.value"]
    return error_response(request, 400, errors or [FieldError("body", "api.invalid.body")])


def http_error(request: Request, exc: HTTPException) -> Response[Any]:
    """Litestar's own refusals (403 of a guard, 405, 413…) in the same shape."""
    if exc.status_code >= 500:
        raise exc
    code = {403: "api.forbidden", 404: "api.not_found", 413: "api.body_too_large"}.get(
        exc.status_code, "api.refused"
    )
    return error_response(request, exc.status_code, [FieldError("request", code)])


def routing_error(request: Request, exc: HTTPException) -> Response[Any]:
    """App-wide: a path no route matches (404) or a method it lacks (405) under ``/api/`` is
    answered in the API's shape; everywhere else as Litestar answers it."""
    if request.url.path.startswith("/api/") and exc.status_code < 500:
        response = http_error(request, exc)
        response.headers.update(exc.headers or {})
        return response
    return create_exception_response(request, exc)
