"""Read models of the digicert app: voucher orders and their codes as services return them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from core.calendar_windows import within_days_end
from core.context import Context
from core.errors import NotFound
from plugins.digicert.tables import DcVoucherCode, DcVoucherOrder

CANCEL_DAYS = 30
"""生成から 30 日以内 / 発行完了後 30 日以内, counted by ``core.calendar_windows``."""
LISTED = ("active", "used", "cancelled", "expired")
"""Code statuses a listing shows: a reissued (replaced) code is never listed again."""


@dataclass(frozen=True)
class CodeView:
    id: int
    voucher_order_id: int
    value: str
    status: str
    product_name_id: str
    product_name: str
    no_of_fqdns: int
    no_of_wildcards: int
    validity_years: int
    created_at: datetime
    redeem_by: date
    redeem_link: str
    renewal_redeem_link: str
    upstream_id: int
    replaces_code_id: int | None = None


@dataclass(frozen=True)
class VoucherOrderView:
    id: int
    upstream_id: int | None
    status: str
    customer_name: str
    notes: str
    payment_method: str
    lines: list[dict[str, Any]]
    total: int
    balance_before: int
    balance_after: int
    invoice_id: int | None
    created_at: datetime
    expiration_date: date | None
    created_by: str
    on_behalf_of: str | None
    can_cancel: bool
    codes: list[CodeView] = field(default_factory=list)


def code_view(row: dict[str, Any]) -> CodeView:
    return CodeView(**{name: row[name] for name in CodeView.__dataclass_fields__})


async def order_row(ctx: Context, order_id: int) -> dict[str, Any]:
    row = await (
        DcVoucherOrder.select()
        .where((DcVoucherOrder.id == order_id) & (DcVoucherOrder.tenant_id == ctx.tenant.id))
        .output(load_json=True)
        .first()
        .run()
    )
    if row is None:
        raise NotFound("digicert.voucher_order.not_found", order_id)
    return row


async def order_codes(ctx: Context, order_id: int) -> list[CodeView]:
    rows = await (
        DcVoucherCode.select()
        .where(
            (DcVoucherCode.tenant_id == ctx.tenant.id)
            & (DcVoucherCode.voucher_order_id == order_id)
            & DcVoucherCode.status.is_in(list(LISTED))
        )
        .order_by(DcVoucherCode.id)
        .run()
    )
    return [code_view(r) for r in rows]


def cancel_until(ctx: Context, at: datetime) -> datetime:
    """The first instant outside "within 30 days of ``at``" in the tenant's time zone."""
    return within_days_end(at, CANCEL_DAYS, ctx.tenant.time_zone)


def cancellable(ctx: Context, row: dict[str, Any], codes: list[CodeView]) -> bool:
    return (
        row["status"] == "completed"
        and row["payment_method"] != "coupon"
        and ctx.clock.now() < cancel_until(ctx, row["created_at"])
        and all(c.status == "active" for c in codes)
    )


async def order_view(ctx: Context, row: dict[str, Any]) -> VoucherOrderView:
    codes = await order_codes(ctx, row["id"])
    return VoucherOrderView(
        id=row["id"],
        upstream_id=row["upstream_id"],
        status=row["status"],
        customer_name=row["customer_name"],
        notes=row["notes"],
        payment_method=row["payment_method"],
        lines=list(row["lines"]),
        total=row["total"],
        balance_before=row["balance_before"],
        balance_after=row["balance_after"],
        invoice_id=row["invoice_id"],
        created_at=row["created_at"],
        expiration_date=row["expiration_date"],
        created_by=row["created_by"],
        on_behalf_of=row["on_behalf_of"],
        can_cancel=cancellable(ctx, row, codes),
        codes=codes,
    )


async def get_voucher_order(ctx: Context, order_id: int) -> VoucherOrderView:
    return await order_view(ctx, await order_row(ctx, order_id))


async def list_voucher_orders(
    ctx: Context,
    status: str | None = None,
    created_from: date | None = None,
    created_to: date | None = None,
) -> list[VoucherOrderView]:
    """The tenant's voucher orders, newest first, filtered by status and creation date (the
    day in the tenant's time zone)."""
    query = DcVoucherOrder.select().where(DcVoucherOrder.tenant_id == ctx.tenant.id)
    if status:
        query = query.where(DcVoucherOrder.status == status)
    rows = await query.order_by(DcVoucherOrder.id, ascending=False).output(load_json=True).run()
    views = []
    for row in rows:
        day = row["created_at"].astimezone(ZoneInfo(ctx.tenant.time_zone)).date()
        if (created_from and day < created_from) or (created_to and day > created_to):
            continue
        views.append(await order_view(ctx, row))
    return views


async def get_code(ctx: Context, code_id: int) -> dict[str, Any]:
    row = await (
        DcVoucherCode.select()
        .where((DcVoucherCode.id == code_id) & (DcVoucherCode.tenant_id == ctx.tenant.id))
        .first()
        .run()
    )
    if row is None:
        raise NotFound("digicert.voucher_code.not_found", code_id)
    return row


async def code_by_value(ctx: Context, value: str) -> dict[str, Any]:
    row = await (
        DcVoucherCode.select()
        .where(
            (DcVoucherCode.value == value.strip().upper())
            & (DcVoucherCode.tenant_id == ctx.tenant.id)
        )
        .first()
        .run()
    )
    if row is None:
        raise NotFound("digicert.voucher_code.not_found", value)
    return row
