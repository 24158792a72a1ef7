"""Keys a console list adds to its rows after reading them (``ListSpec.enrich``)."""

from __future__ import annotations

from typing import Any

from core.context import Context
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
