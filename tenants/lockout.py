"""Lockout after 5 failed logins within 15 minutes, for 15 minutes; all by the clock.

A login row keeps the times of its recent failures (``recent_failures``) and ``locked_until``.
These pure functions decide; ``tenants.attempts`` stores their answer, counting each attempt
atomically *before* its password is checked (used by logins and wallet passwords alike).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCK_DURATION = timedelta(minutes=15)


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and now < locked_until


def register_failure(recent: Iterable[str], now: datetime) -> tuple[list[str], datetime | None]:
    """The failures still inside the window plus this one, and the lock end if now locked.

    Locking clears the list, so after the lock ends the person has five fresh attempts.
    """
    kept = [at for at in (datetime.fromisoformat(t) for t in recent) if now - at < WINDOW]
    kept.append(now)
    if len(kept) >= MAX_FAILURES:
        return [], now + LOCK_DURATION
    return [at.isoformat() for at in kept], None
