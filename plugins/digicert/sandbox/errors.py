"""The sandbox's errors, answered in the API's shape ``{"errors": [{"code", "message"}]}``."""

from __future__ import annotations

from litestar import Request, Response
from litestar.exceptions import HTTPException


class SandboxApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def error_body(code: str, message: str) -> dict[str, list[dict[str, str]]]:
    return {"errors": [{"code": code, "message": message}]}


def bad_request(code: str, message: str) -> SandboxApiError:
    return SandboxApiError(400, code, message)


def not_found(what: str) -> SandboxApiError:
    return SandboxApiError(404, "not_found", f"{what} not found")


def handle_api_error(_request: Request, exc: SandboxApiError) -> Response:
    return Response(error_body(exc.code, exc.message), status_code=exc.status)


def handle_http_exception(_request: Request, exc: HTTPException) -> Response:
    code = "not_found" if exc.status_code == 404 else "invalid_request"
    return Response(error_body(code, str(exc.detail)), status_code=exc.status_code)
