"""Today's date as the tenant sees it: the clock of the context in the tenant's time zone."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from core.clock import local_date
from core.context import Context


def tenant_today(ctx: Context) -> date:
    return local_date(ctx.clock, ZoneInfo(ctx.tenant.time_zone))
