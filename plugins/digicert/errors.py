"""Typed errors of the CertCentral client, each carrying the API's ``errors[{code, message}]``.

``retryable`` says whether trying again may help (429, 5xx, a lost connection); ``ambiguous``
says the request may have been carried out although no good answer came back (a 5xx or a
timeout after the request was sent), so a create must look for what it made before trying again.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import ShomeiError


@dataclass(frozen=True)
class ApiErrorDetail:
    code: str
    message: str


class CertCentralError(ShomeiError):
    """Base of every error the client raises."""

    retryable = False
    ambiguous = False

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        errors: tuple[ApiErrorDetail, ...] = (),
        retry_after: float | None = None,
    ) -> None:
        self.status = status
        self.errors = errors
        self.retry_after = retry_after
        detail = "; ".join(f"{e.code}: {e.message}" for e in errors)
        super().__init__(f"{message} ({detail})" if detail else message)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(e.code for e in self.errors)


class InvalidRequest(CertCentralError):
    """400: the API refused the request's content."""


class AuthenticationFailed(CertCentralError):
    """401/403: the API key is wrong, revoked or not allowed to do this."""


class NotFound(CertCentralError):
    """404: no such order, voucher order or certificate."""


class RateLimited(CertCentralError):
    """429 ``request_limit_exceeded``: nothing was done; try again later."""

    retryable = True


class ServerError(CertCentralError):
    """5xx: the upstream failed; a create may or may not have happened."""

    retryable = True
    ambiguous = True


class TransportFailure(CertCentralError):
    """No HTTP answer: the connection failed or timed out."""

    retryable = True

    def __init__(self, message: str, *, sent: bool) -> None:
        super().__init__(message)
        self.sent = sent

    @property
    def ambiguous(self) -> bool:  # type: ignore[override]
        return self.sent


class UpstreamNotAllowed(CertCentralError):
    """The account's base URL may not be reached (``core.egress``: https to public addresses
    only); nothing was sent. Not retried: the tenant must correct its provider settings."""

    def __init__(self, reason: str) -> None:
        detail = ApiErrorDetail(
            f"base_url_{reason}",
            f"the provider account's base_url is refused by the egress rule ({reason})",
        )
        super().__init__("base_url refused", errors=(detail,))
        self.reason = reason


class NotTheApi(CertCentralError):
    """A 2xx answer that is not the API's JSON (the base URL points at some other site)."""


class RetriesExhausted(CertCentralError):
    """The bounded attempts are used up; ``last`` is the final error."""

    def __init__(self, last: CertCentralError, attempts: int) -> None:
        super().__init__(
            f"gave up after {attempts} attempts: {last}",
            status=last.status,
            errors=last.errors,
        )
        self.last = last
        self.attempts = attempts


def error_for_status(
    status: int, errors: tuple[ApiErrorDetail, ...], retry_after: float | None
) -> CertCentralError:
    """The typed error for an HTTP error status."""
    message = f"CertCentral answered HTTP {status}"
    kind: type[CertCentralError]
    if status == 429:
        kind = RateLimited
    elif status >= 500:
        kind = ServerError
    elif status in (401, 403):
        kind = AuthenticationFailed
    elif status == 404:
        kind = NotFound
    elif status in (400, 409, 422):
        kind = InvalidRequest
    else:
        kind = CertCentralError
    return kind(message, status=status, errors=errors, retry_after=retry_after)
