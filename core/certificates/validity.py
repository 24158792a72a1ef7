"""How long a TLS server certificate may live, by the CA/Browser Forum schedule (SC-081).

The Baseline Requirements count a validity period from notBefore through notAfter
*inclusive*, so a certificate of N days ends one second before notBefore + N days.
The schedule is keyed by the UTC date of issuance, as the Forum's effective dates are.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

_SCHEDULE: tuple[tuple[date, int], ...] = (
    (date(2029, 3, 15), 47),
    (date(2027, 3, 15), 100),
    (date(2026, 3, 15), 200),
)
_BEFORE_SCHEDULE = 398


def max_validity_days(issued_on: date) -> int:
    """The longest validity, in days, of a TLS server certificate issued on ``issued_on``."""
    for effective, days in _SCHEDULE:
        if issued_on >= effective:
            return days
    return _BEFORE_SCHEDULE


def capped_validity_days(requested_days: int, issued_on: date) -> int:
    """``requested_days`` cut to the cap of ``issued_on`` (a longer term is shortened)."""
    _check_days(requested_days)
    return min(requested_days, max_validity_days(issued_on))


def validity_end(not_before: datetime, days: int) -> datetime:
    """notAfter of a certificate valid ``days`` days from ``not_before``, counted inclusively."""
    _check_days(days)
    return not_before + timedelta(days=days) - timedelta(seconds=1)


def server_validity_end(not_before: datetime, requested_days: int) -> datetime:
    """notAfter of a TLS server certificate starting at ``not_before``, capped by the schedule."""
    issued_on = not_before.astimezone(UTC).date()
    return validity_end(not_before, capped_validity_days(requested_days, issued_on))


def _check_days(days: int) -> None:
    if days < 1:
        raise ValueError(f"a certificate must be valid at least one day, not {days}")
