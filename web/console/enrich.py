"""Keys a console list adds to its rows after reading them (``ListSpec.enrich``)."""

from __future__ import annotations

from typing import Any

from core.context import Context
from core.orders.tables import Order
from tenants.scoping import scoped
from tenants.tables import Customer


async def customer_names(rows: list[dict[str, Any]], ctx: Context) -> None:
    """``customer_name`` of each row's ``customer_id`` (this tenant's customers only)."""
    ids = sorted({row["customer_id"] for row in rows if row.get("customer_id")})
    names: dict[int, str] = {}
    if ids:
        found = await (
            scoped(Customer, ctx)
            .select(Customer.id, Customer.organization_name)
            .where(Customer.id.is_in(ids))
            .run()
        )
        names = {row["id"]: row["organization_name"] for row in found}
    for row in rows:
        row["customer_name"] = names.get(row.get("customer_id") or 0, "")


async def order_numbers(rows: list[dict[str, Any]], ctx: Context) -> None:
    """``order_number`` (``ORD-2026-000123``) of each row's ``order_id`` (this tenant's)."""
    ids = sorted({row["order_id"] for row in rows if row.get("order_id")})
    numbers: dict[int, str] = {}
    if ids:
        found = await (
            scoped(Order, ctx).select(Order.id, Order.number).where(Order.id.is_in(ids)).run()
        )
        numbers = {row["id"]: row["number"] for row in found}
    for row in rows:
        row["order_number"] = numbers.get(row.get("order_id") or 0, "")


async def customer_names_and_order_numbers(rows: list[dict[str, Any]], ctx: Context) -> None:
    await customer_names(rows, ctx)
    await order_numbers(rows, ctx)
