from datetime import UTC, date, datetime, timedelta

import pytest

from core.certificates.validity import (
    capped_validity_days,
    max_validity_days,
    server_validity_end,
    validity_end,
)


@pytest.mark.parametrize(
    ("issued_on", "days"),
    [
        (date(2025, 1, 1), 398),
        (date(2026, 3, 14), 398),
        (date(2026, 3, 15), 200),
        (date(2027, 3, 14), 200),
        (date(2027, 3, 15), 100),
        (date(2029, 3, 14), 100),
        (date(2029, 3, 15), 47),
        (date(2040, 1, 1), 47),
    ],
)
def test_max_validity_follows_the_ca_browser_forum_schedule(issued_on, days):
    assert max_validity_days(issued_on) == days


def test_a_longer_request_is_cut_and_a_shorter_one_kept():
    assert capped_validity_days(365, date(2026, 3, 15)) == 200
    assert capped_validity_days(90, date(2026, 3, 15)) == 90
    assert capped_validity_days(398, date(2026, 3, 14)) == 398


@pytest.mark.parametrize("days", [0, -1])
def test_a_validity_below_one_day_is_a_programming_error(days):
    with pytest.raises(ValueError):
        capped_validity_days(days, date(2026, 1, 1))
    with pytest.raises(ValueError):
        validity_end(datetime(2026, 1, 1, tzinfo=UTC), days)


def test_validity_counts_not_after_inclusively():
    start = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
    assert validity_end(start, 1) == datetime(2026, 3, 16, 11, 59, 59, tzinfo=UTC)
    assert server_validity_end(start, 398) - start == timedelta(days=200) - timedelta(seconds=1)


def test_the_schedule_is_keyed_by_the_utc_date():
    # 2026-03-15 08:00 in Tokyo is still 2026-03-14 in UTC: the old cap applies.
    tokyo_morning = datetime(2026, 3, 14, 23, 0, tzinfo=UTC)
    assert server_validity_end(tokyo_morning, 398) - tokyo_morning == timedelta(
        days=398, seconds=-1
    )
