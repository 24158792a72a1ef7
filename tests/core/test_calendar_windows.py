""" "Within N days" as the seeds count it: calendar days in the tenant's time zone, through the
end of day N (core/calendar_windows.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from core.calendar_windows import is_within_days, last_day_within, within_days_end
from core.clock import JST, FrozenClock


def test_thirty_days_end_at_midnight_jst_after_day_30_not_after_720_hours():
    generated = datetime(2026, 3, 14, 21, 0, tzinfo=JST)  # 12:00 UTC
    clock = FrozenClock(generated)
    assert last_day_within(date(2026, 3, 14), 30) == date(2026, 4, 13)
    assert within_days_end(generated, 30) == datetime(2026, 4, 14, 0, 0, tzinfo=JST)
    clock.set(datetime(2026, 4, 13, 23, 59, 59, tzinfo=JST))  # day 30, later than 30 x 24 h
    assert clock.now() > generated + timedelta(days=30)
    assert is_within_days(generated, clock.now(), 30)
    clock.set(datetime(2026, 4, 14, 0, 0, tzinfo=JST))  # day 31
    assert not is_within_days(generated, clock.now(), 30)


def test_the_day_is_the_tenants_day():
    # 2026-03-14 23:30 UTC is already 15 March in Tokyo: day 30 is 14 April there
    event = datetime(2026, 3, 14, 23, 30, tzinfo=UTC)
    assert within_days_end(event, 30, "Asia/Tokyo") == datetime(2026, 4, 15, tzinfo=JST)
    honolulu = ZoneInfo("Pacific/Honolulu")  # still 14 March there
    assert within_days_end(event, 30, honolulu) == datetime(2026, 4, 14, tzinfo=honolulu)
