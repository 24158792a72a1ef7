"""Order numbers a person can read out: ``ORD-2026-000123``, per tenant and per year (the
order's creation year in the tenant's time zone), gapless and never duplicated under
concurrent orders — through ``core.numbering``, the mechanism of invoice numbers."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from core.clock import local_date
from core.context import Context
from core.numbering import Counter
from core.orders.tables import OrderCounter

PREFIX = "ORD"
ORDERS = Counter(OrderCounter, ("tenant_id", "year"))


def format_number(year: int, seq: int) -> str:
    return f"{PREFIX}-{year}-{seq:06d}"


def order_year(ctx: Context) -> int:
    return local_date(ctx.clock, ZoneInfo(ctx.tenant.time_zone)).year


async def take_number(ctx: Context) -> tuple[int, str]:
    """(year, number) of the tenant's next order; call inside the order's write transaction."""
    year = order_year(ctx)
    return year, format_number(year, await ORDERS.take(ctx.tenant.id, year))


async def give_back_number(ctx: Context, year: int) -> None:
    """Undo ``take_number`` in the same transaction (nothing was written under it)."""
    await ORDERS.give_back(ctx.tenant.id, year)
