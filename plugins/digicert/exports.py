"""CSV exports as in the seed, UTF-8 with BOM and CRLF so Japanese Excel opens them cleanly.

Dates and times are written in the tenant's time zone (``TenantRef.time_zone``, Asia/Tokyo
unless the tenant set another): a code generated at 2026-03-14 23:30 UTC was created on
2026-03-15 08:30 in Japan, and its row says so."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from core.context import Context
from core.csv_writer import csv_document
from plugins.digicert.tables import DcRedemption, DcVoucherCode, DcVoucherOrder
from plugins.digicert.views import list_voucher_orders, order_row

ORDER_COLUMNS = ("id", "name", "status", "cost", "created_date", "expiration_date", "notes")
CODE_COLUMNS = (
    "id", "value", "product_name", "no_of_fqdns", "no_of_wildcards", "shipping_method",
    "validity_years", "validity_days", "status", "created_date", "voucher_order_id",
    "cert_request_date", "cert_validity_start_date", "cert_validity_end_date",
    "cert_organization", "cert_common_name", "certificate_order_id",
    "voucher_validity_end_date", "order_valid_from", "order_valid_till", "server_licenses",
)  # fmt: skip
ORDER_STATUS = {
    "completed": "Completed",
    "cancelled": "Canceled",
    "pending": "Pending",
    "failed": "Failed",
}


def _local(ctx: Context, moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(ctx.tenant.time_zone))


def _moment(ctx: Context, moment: datetime) -> str:
    return _local(ctx, moment).strftime("%Y-%m-%d %H:%M:%S")


def to_csv(columns: tuple[str, ...], rows: Iterable[dict[str, Any]]) -> bytes:
    """The seed's columns in order, through the one CSV writer (BOM, CRLF, formula guard)."""
    return csv_document(columns, ([row.get(c) for c in columns] for row in rows))


async def voucher_orders_csv(
    ctx: Context,
    status: str | None = None,
    created_from: date | None = None,
    created_to: date | None = None,
) -> bytes:
    """All voucher orders, or those filtered by creation date and status."""
    orders = await list_voucher_orders(ctx, status, created_from, created_to)
    return to_csv(
        ORDER_COLUMNS,
        (
            {
                "id": o.upstream_id or o.id,
                "name": o.customer_name,
                "status": ORDER_STATUS.get(o.status, o.status),
                "cost": o.total,
                "created_date": _local(ctx, o.created_at).date().isoformat(),
                "expiration_date": o.expiration_date.isoformat() if o.expiration_date else "",
                "notes": o.notes,
            }
            for o in orders
        ),
    )


async def _order_upstream_ids(ctx: Context, order_ids: set[int]) -> dict[int, int | None]:
    """Our voucher order id → the upstream's, in one query (not one per code)."""
    if not order_ids:
        return {}
    rows = await (
        DcVoucherOrder.select(DcVoucherOrder.id, DcVoucherOrder.upstream_id)
        .where(
            (DcVoucherOrder.tenant_id == ctx.tenant.id) & DcVoucherOrder.id.is_in(sorted(order_ids))
        )
        .run()
    )
    return {r["id"]: r["upstream_id"] for r in rows}


async def _code_rows(ctx: Context, where: Any) -> list[dict[str, Any]]:
    codes = await DcVoucherCode.select().where(where).order_by(DcVoucherCode.id).run()
    redemptions = await (
        DcRedemption.select()
        .where((DcRedemption.tenant_id == ctx.tenant.id) & (DcRedemption.status != "failed"))
        .order_by(DcRedemption.id)
        .run()
    )
    latest = {r["code_id"]: r for r in redemptions if r["status"] != "cancelled"}
    upstream_ids = await _order_upstream_ids(ctx, {c["voucher_order_id"] for c in codes})
    rows = []
    for code in codes:
        row: dict[str, Any] = {
            "id": code["upstream_id"],
            "value": code["value"],
            "product_name": code["product_name"],
            "no_of_fqdns": code["no_of_fqdns"],
            "no_of_wildcards": code["no_of_wildcards"],
            "shipping_method": "N/A",
            "validity_years": code["validity_years"],
            "validity_days": 0,
            "status": code["status"],
            "created_date": _moment(ctx, code["created_at"]),
            "voucher_order_id": upstream_ids.get(code["voucher_order_id"]),
            "voucher_validity_end_date": code["redeem_by"].isoformat(),
        }
        found = latest.get(code["id"])
        if found is not None:
            row.update(
                cert_request_date=_moment(ctx, found["requested_at"]),
                cert_validity_start_date=found["valid_from"],
                cert_validity_end_date=found["valid_till"],
                cert_organization=found["organization_name"],
                cert_common_name=found["common_name"],
                certificate_order_id=found["upstream_order_id"],
                order_valid_from=found["order_valid_from"],
                order_valid_till=found["order_valid_till"],
                server_licenses=1,
            )
        rows.append(row)
    return rows


async def order_codes_csv(ctx: Context, order_id: int) -> bytes:
    """The codes of one voucher order (a replaced code is not listed)."""
    await order_row(ctx, order_id)
    where = (
        (DcVoucherCode.tenant_id == ctx.tenant.id)
        & (DcVoucherCode.voucher_order_id == order_id)
        & (DcVoucherCode.status != "reissued")
    )
    return to_csv(CODE_COLUMNS, await _code_rows(ctx, where))


async def used_codes_csv(ctx: Context) -> bytes:
    """Download All Used Voucher Codes: every used code with its certificate's details."""
    where = (DcVoucherCode.tenant_id == ctx.tenant.id) & (DcVoucherCode.status == "used")
    return to_csv(CODE_COLUMNS, await _code_rows(ctx, where))
