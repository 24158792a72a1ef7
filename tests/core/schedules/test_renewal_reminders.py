"""Renewal reminders: each (entitlement, days before) once, on its day, to the billing contact."""

from datetime import date, timedelta

import pytest

from core.clock import FrozenClock
from core.context import tenant_scope
from core.errors import ValidationFailed
from core.schedules.marks import marks
from core.schedules.reminder_settings import reminder_days, set_reminder_days
from core.schedules.renewal_reminders import RenewalReminders, default_renew_url
from core.schedules.sweep import find_tenants
from tests.core.schedules.helpers import (
    add_entitlement,
    events,
    morning,
    run_day,
    tenant_with_customer,
)

JOB = RenewalReminders(default_renew_url("https://shop.example.jp"))


async def _sent_days(ctx, start: date, end: date) -> dict[str, date]:
    sent: dict[str, date] = {}
    day = start
    while day <= end:
        with tenant_scope(ctx.tenant):
            await run_day(JOB, ctx.tenant, day)
            await run_day(JOB, ctx.tenant, day)  # twice a day: nothing more
        for event in await events(ctx.tenant.id, "renewal.due"):
            sent.setdefault(event["idempotency_key"], day)
        day += timedelta(days=1)
    return sent


async def test_default_days_and_a_late_issue_skips_stale_reminders(database):
    clock = FrozenClock(morning(date(2027, 1, 1)))
    ctx, customer = await tenant_with_customer(clock)
    t = ctx.tenant.id
    with tenant_scope(ctx.tenant):
        full = await add_entitlement(ctx, customer, expires_at=morning(date(2027, 5, 1)))
        late = await add_entitlement(
            ctx,
            customer,
            issued_at=morning(date(2027, 4, 10)),
            expires_at=morning(date(2027, 4, 30)),
        )
        voucher = await add_entitlement(  # an unredeemed code: not something to renew
            ctx, customer, state="active", payment_method="", expires_at=morning(date(2027, 4, 1))
        )
    sent = await _sent_days(ctx, date(2027, 1, 1), date(2027, 5, 10))
    assert sent == {
        f"{t}:renewal.due:{full}:90": date(2027, 1, 31),
        f"{t}:renewal.due:{full}:30": date(2027, 4, 1),
        f"{t}:renewal.due:{full}:7": date(2027, 4, 24),
        f"{t}:renewal.due:{full}:1": date(2027, 4, 30),
        f"{t}:renewal.due:{late}:7": date(2027, 4, 23),
        f"{t}:renewal.due:{late}:1": date(2027, 4, 29),
    }
    first = (await events(t, "renewal.due"))[0]["payload"]
    assert first["to"] == "taro@example.jp" and first["customer_name"] == "鈴木 太郎"
    assert first["expires_on"] == "2027/05/01" and first["days_left"] == 90
    # the tenant's own host: the bare public host serves no tenant
    slug = ctx.tenant.slug
    assert first["renew_url"] == f"https://{slug}.shop.example.jp/portal/certificates/{full}"
    with tenant_scope(ctx.tenant):
        skipped = [m for m in await marks(ctx, JOB.name, late) if m["detail"]]
        assert {m["step"] for m in skipped} == {"90", "30"}
        assert await marks(ctx, JOB.name, voucher) == []


async def test_a_tenant_chooses_its_own_days(database):
    clock = FrozenClock(morning(date(2027, 1, 1)))
    ctx, customer = await tenant_with_customer(clock)
    with tenant_scope(ctx.tenant):
        assert await reminder_days(ctx) == (90, 30, 7, 1)
        assert await set_reminder_days(ctx, [14, 60]) == (60, 14)
        with pytest.raises(ValidationFailed) as refused:
            await set_reminder_days(ctx, [0, 400])
        assert refused.value.errors[0].field == "days_before"
        ent = await add_entitlement(ctx, customer, expires_at=morning(date(2027, 4, 1)))
    sent = await _sent_days(ctx, date(2027, 1, 1), date(2027, 4, 2))
    t = ctx.tenant.id
    assert sent == {
        f"{t}:renewal.due:{ent}:60": date(2027, 1, 31),
        f"{t}:renewal.due:{ent}:14": date(2027, 3, 18),
    }


async def test_the_tenant_list_holds_only_tenants_with_a_reminder_due(database):
    clock = FrozenClock(morning(date(2027, 1, 1)))
    ctx, customer = await tenant_with_customer(clock)
    with tenant_scope(ctx.tenant):
        await add_entitlement(ctx, customer, expires_at=morning(date(2027, 3, 1)))
    assert ctx.tenant.id in await find_tenants(JOB, date(2027, 1, 30))  # 30 days before
    assert ctx.tenant.id not in await find_tenants(JOB, date(2027, 1, 20))
