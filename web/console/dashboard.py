"""The console's first page: the month's orders and revenue, payments waiting, and
certificates expiring soon (``core.entitlements``)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get

from core.clock import local_date
from core.context import Context
from core.contracts.providers import EntitlementState
from core.entitlements.tables import Entitlement
from core.orders.states import OrderState
from core.orders.tables import Order
from core.payments.ledger import PAID_STATES
from tenants.scoping import scoped
from web.console.access import SignedInStaff, staff
from web.console.listing import formatter
from web.console.pages import page

EXPIRING_DAYS = 30
LIVE_STATES = (EntitlementState.ACTIVE, EntitlementState.ISSUED)


def month_start(ctx: Context) -> datetime:
    """Midnight of the 1st of this month in the tenant's time zone, as UTC (SQLite compares
    the stored UTC text)."""
    zone = ZoneInfo(ctx.tenant.time_zone)
    today = local_date(ctx.clock, zone)
    return datetime.combine(today.replace(day=1), time(), zone).astimezone(UTC)


async def figures(ctx: Context) -> dict[str, Any]:
    """This month's placed orders and revenue (orders of the month that reached paid),
    orders awaiting payment, and certificates expiring soon."""
    start = month_start(ctx)
    month = await (
        scoped(Order, ctx)
        .select(Order.state, Order.total)
        .where((Order.created_at >= start) & (Order.state != OrderState.DRAFT.value))
        .run()
    )
    paid = {state.value for state in PAID_STATES}
    waiting = await (
        scoped(Order, ctx)
        .select(Order.total)
        .where(Order.state == OrderState.AWAITING_PAYMENT.value)
        .run()
    )
    return {
        "orders": len(month),
        "revenue": sum(row["total"] for row in month if row["state"] in paid),
        "waiting": len(waiting),
        "waiting_total": sum(row["total"] for row in waiting),
        "expiring": await expiring_soon(ctx),
    }


async def expiring_soon(ctx: Context) -> int:
    """Live certificates (active or issued) whose validity ends within ``EXPIRING_DAYS``."""
    now = ctx.clock.now()
    return await (
        scoped(Entitlement, ctx)
        .count()
        .where(
            (Entitlement.expires_at >= now)
            & (Entitlement.expires_at < now + timedelta(days=EXPIRING_DAYS))
            & Entitlement.state.is_in([state.value for state in LIVE_STATES])
        )
    )


class ConsoleDashboard(Controller):
    path = "/console"
    include_in_schema = False

    @get("/")
    async def dashboard(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await staff(request)
        if not isinstance(me, SignedInStaff):
            return me
        fmt = formatter(request, me.ctx)
        found = await figures(me.ctx)
        return page(
            request,
            me,
            "pages/console/dashboard.html",
            section="dashboard",
            figures=found,
            revenue=fmt.yen(found["revenue"]),
            waiting_total=fmt.yen(found["waiting_total"]),
            expiring_days=EXPIRING_DAYS,
        )
