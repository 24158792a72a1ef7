"""Day windows with catch-up: "step ``s`` is due ``s`` days before/after a date, and may still be
done ``GRACE_DAYS - 1`` days late" (a beat outage of a day or two loses nothing).

Each window is a closed range of dates; the SQL built here is a ``CASE`` naming the step of the
window a row's date falls in, so one indexed range scan per step finds every due row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.clock import JST

GRACE_DAYS = 3


@dataclass(frozen=True)
class Window:
    step: int
    first: date
    last: date


def windows_before(today: date, steps: Sequence[int], grace: int = GRACE_DAYS) -> list[Window]:
    """For reminders ``s`` days before a date: dates in [today + s - grace + 1, today + s], cut
    so that a window never reaches into a smaller step's days (each date has one step)."""
    ordered = sorted(set(steps))
    found = []
    for n, step in enumerate(ordered):
        lower = ordered[n - 1] if n else 0
        first = max(step - grace + 1, lower + 1)
        found.append(Window(step, today + timedelta(days=first), today + timedelta(days=step)))
    return found


def windows_after(today: date, steps: Sequence[int], grace: int = GRACE_DAYS) -> list[Window]:
    """For reminders ``s`` days after a date: dates in [today - s - grace + 1, today - s], cut
    at the next larger step."""
    ordered = sorted(set(steps))
    found = []
    for n, step in enumerate(ordered):
        upper = ordered[n + 1] if n + 1 < len(ordered) else step + grace
        span = min(grace, upper - step)
        found.append(
            Window(step, today - timedelta(days=step + span - 1), today - timedelta(days=step))
        )
    return found


def step_case(column: str, windows: Sequence[Window]) -> tuple[str, list[date]]:
    """``CASE WHEN column BETWEEN {} AND {} THEN 's' ... END`` and its arguments."""
    parts, args = [], []
    for window in windows:
        parts.append(f"WHEN {column} BETWEEN {{}} AND {{}} THEN '{window.step}'")
        args += [window.first, window.last]
    return "CASE " + " ".join(parts) + " END", args


def any_window(column: str, windows: Sequence[Window]) -> tuple[str, list[date]]:
    """``(column BETWEEN {} AND {} OR ...)``: one index range per window."""
    parts, args = [], []
    for window in windows:
        parts.append(f"{column} BETWEEN {{}} AND {{}}")
        args += [window.first, window.last]
    return "(" + " OR ".join(parts) + ")", args


def day_start(day: date, tz: ZoneInfo = JST) -> datetime:
    """The UTC instant a local day begins (windows on timestamps use [start, next start))."""
    return datetime.combine(day, time(0), tz).astimezone(UTC)


def as_datetime(value: Any) -> datetime:
    """A timestamp column as an aware datetime (raw SQLite rows give ISO text)."""
    found = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return found if found.tzinfo else found.replace(tzinfo=UTC)
