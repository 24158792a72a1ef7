"""Quote expiry: a quote not turned into an order is announced ``quote.expired`` once, the day
after its validity ends (``core.orders.quotes``: saved date + 30 days, still valid that day).

The console and webhooks hear of it; the quote itself stays (deleting is the tenant's choice)
and ``core.orders.quotes`` already refuses to convert it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from core.context import Context
from core.orders.tables import Quote
from core.schedules.marks import Effect, emit_once
from core.schedules.sweep import Batch, next_cursor
from core.schedules.windows import GRACE_DAYS

STEP = "expired"


class QuoteExpiry:
    name = "quote_expiry"
    queue = "default"

    def _sql(self, today: date, select: str, extra: str = "") -> tuple[str, list[Any]]:
        first, last = today - timedelta(days=GRACE_DAYS), today - timedelta(days=1)
        sql = (
            f"SELECT {select} FROM orders_quote q WHERE q.order_id IS NULL"
            " AND q.valid_until BETWEEN {} AND {}"
            " AND NOT EXISTS (SELECT 1 FROM schedules_mark m WHERE m.tenant_id = q.tenant_id"
            f" AND m.job = '{self.name}' AND m.subject_id = q.id AND m.step = '{STEP}'){extra}"
        )
        return sql, [first, last]

    async def tenants_due(self, today: date) -> list[int]:
        sql, args = self._sql(today, "DISTINCT q.tenant_id")
        rows = await Quote.raw(sql + " ORDER BY q.tenant_id", *args).run()
        return [row["tenant_id"] for row in rows]

    async def run_batch(self, ctx: Context, today: date, cursor: int, limit: int) -> Batch:
        sql, args = self._sql(
            today,
            "q.id, q.valid_until, q.customer_id, q.total",
            " AND q.tenant_id = {} AND q.id > {} ORDER BY q.id LIMIT {}",
        )
        rows = await Quote.raw(sql, *args, ctx.tenant.id, cursor, limit).run()
        effects = [
            Effect(
                row["id"],
                STEP,
                "quote",
                "quote.expired",
                {
                    "quote_id": row["id"],
                    "customer_id": row["customer_id"],
                    "total": row["total"],
                    "valid_until": str(row["valid_until"]),
                },
                f"{ctx.tenant.id}:quote.expired:{row['id']}",
            )
            for row in rows
        ]
        done = await emit_once(ctx, self.name, effects)
        return Batch(len(rows), done, next_cursor([r["id"] for r in rows], limit))
