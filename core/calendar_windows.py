"""Windows counted in days: "within N days" as the seeds word them.

DigiCert's voucher guide says 「バウチャーのキャンセル処理可能期間は、生成から 30 日以内です」 and
「証明書申請し発行完了後 30 日以内に申請がキャンセルされた場合は、バウチャーは再度有効化します」
(seeds/000, バウチャー). Such a window is counted in calendar days in the tenant's time zone,
not in 24-hour blocks: the day of the event is not counted (初日不算入, 民法第140条), day 1 is
the next calendar day, and the window lasts through the end (24:00) of day N (民法第141条).
An event at 2026-03-14 10:00 JST with N = 30 may be acted on until 2026-04-13 23:59:59 JST
and is refused from 2026-04-14 00:00 JST. Every such window of the product (voucher-order
cancel, certificate cancel and the voucher's reactivation, quote validity) and of the DigiCert
sandbox is computed here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.clock import JST


def last_day_within(start: date, days: int) -> date:
    """The last calendar day of "within ``days`` days" of an event on ``start``."""
    return start + timedelta(days=days)


def within_days_end(event_at: datetime, days: int, tz: ZoneInfo | str = JST) -> datetime:
    """The first instant (UTC) outside "within ``days`` days of ``event_at``": 00:00 in ``tz``
    of the day after the last day."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    local_day = event_at.astimezone(zone).date()
    end = datetime.combine(last_day_within(local_day, days) + timedelta(days=1), time(0), zone)
    return end.astimezone(UTC)


def is_within_days(event_at: datetime, now: datetime, days: int, tz: ZoneInfo | str = JST) -> bool:
    """True while ``now`` is within ``days`` days of ``event_at`` (as the seeds count)."""
    return now < within_days_end(event_at, days, tz)
