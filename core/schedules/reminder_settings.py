"""A tenant's renewal reminder days: 90, 30, 7 and 1 days before expiry unless it chose others.

Days are whole numbers from 1 to 365, at most six of them; a bad list is refused naming the
field ``days_before`` (``schedules.reminder_days.invalid``).
"""

from __future__ import annotations

from core.context import Context, system_scope
from core.errors import FieldError, ValidationFailed
from core.schedules.tables import ReminderSetting

DEFAULT_DAYS: tuple[int, ...] = (90, 30, 7, 1)
MAX_DAYS = 365
MAX_COUNT = 6


def clean_days(days: list[object]) -> tuple[int, ...]:
    ok = (
        0 < len(days) <= MAX_COUNT
        and all(isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= MAX_DAYS for d in days)
        and len(set(days)) == len(days)
    )
    if not ok:
        raise ValidationFailed(
            [
                FieldError(
                    "days_before",
                    "schedules.reminder_days.invalid",
                    {"max": MAX_DAYS, "count": MAX_COUNT},
                )
            ]
        )
    return tuple(sorted((int(d) for d in days), reverse=True))  # type: ignore[call-overload]


async def set_reminder_days(ctx: Context, days: list[object]) -> tuple[int, ...]:
    cleaned = clean_days(days)
    values = {
        ReminderSetting.days_before: list(cleaned),
        ReminderSetting.updated_at: ctx.clock.now(),
    }
    updated = await (
        ReminderSetting.update(values)
        .where(ReminderSetting.tenant_id == ctx.tenant.id)
        .returning(ReminderSetting.id)
        .run()
    )
    if not updated:
        await (
            ReminderSetting.insert(
                ReminderSetting(
                    tenant_id=ctx.tenant.id, days_before=list(cleaned), updated_at=ctx.clock.now()
                )
            )
            .on_conflict(target=ReminderSetting.tenant_id, action="DO NOTHING")
            .run()
        )
    return cleaned


async def reminder_days(ctx: Context) -> tuple[int, ...]:
    row = await (
        ReminderSetting.select(ReminderSetting.days_before)
        .where(ReminderSetting.tenant_id == ctx.tenant.id)
        .output(load_json=True)
        .first()
        .run()
    )
    return tuple(row["days_before"]) if row else DEFAULT_DAYS


async def days_in_use() -> tuple[int, ...]:
    """Every reminder day some tenant uses (the sweep's windows), the defaults included."""
    with system_scope("schedule renewal_reminders: reminder days in use"):
        rows = await ReminderSetting.select(ReminderSetting.days_before).output(load_json=True)
    found = set(DEFAULT_DAYS)
    for row in rows:
        found.update(row["days_before"])
    return tuple(sorted(found, reverse=True))
