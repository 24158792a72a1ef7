"""Overdue reminders (お支払い期限超過のお知らせ): an open invoice past its due date gets
``invoice.overdue`` 1, 7 and 30 days after it, each once.

The due date comes from the invoice's payment term (``core.billing.terms.due_date``, fixed on
the invoice when issued), so NET30 and NET60EOM invoices are reminded on their own days. The
mail goes to the invoice's recipient e-mail in the invoice's language; the ``(invoice, step)``
mark and the outbox row commit together. A paid or void invoice is never reminded.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from core.billing.pdf import format_day
from core.billing.tables import Invoice
from core.context import Context
from core.schedules.marks import Effect, emit_once
from core.schedules.sweep import Batch, next_cursor
from core.schedules.windows import any_window, step_case, windows_after

OVERDUE_STEPS = (1, 7, 30)


class OverdueReminders:
    name = "invoice_overdue"
    queue = "billing"

    def __init__(self, steps: tuple[int, ...] = OVERDUE_STEPS) -> None:
        self.steps = steps

    def _sql(self, today: date, select: str, extra: str = "") -> tuple[str, list[Any]]:
        windows = windows_after(today, self.steps)
        case, case_args = step_case("i.due_date", windows)
        where, where_args = any_window("i.due_date", windows)
        sql = (
            f"SELECT {select} FROM billing_invoice i WHERE i.status = 'open' AND {where}"
            f" AND NOT EXISTS (SELECT 1 FROM schedules_mark m WHERE m.tenant_id = i.tenant_id"
            f" AND m.job = '{self.name}' AND m.subject_id = i.id AND m.step = {case}){extra}"
        )
        return sql, [*where_args, *case_args]

    async def tenants_due(self, today: date) -> list[int]:
        sql, args = self._sql(today, "DISTINCT i.tenant_id")
        rows = await Invoice.raw(sql + " ORDER BY i.tenant_id", *args).run()
        return [row["tenant_id"] for row in rows]

    async def run_batch(self, ctx: Context, today: date, cursor: int, limit: int) -> Batch:
        windows = windows_after(today, self.steps)
        case, case_args = step_case("i.due_date", windows)
        sql, args = self._sql(
            today,
            f"i.id, i.number, i.grand_total, i.due_date, i.language, i.recipient, {case} AS step",
            " AND i.tenant_id = {} AND i.id > {} ORDER BY i.id LIMIT {}",
        )
        rows = await Invoice.raw(sql, *case_args, *args, ctx.tenant.id, cursor, limit).run()
        done = await emit_once(ctx, self.name, [self._effect(ctx, row) for row in rows])
        return Batch(len(rows), done, next_cursor([r["id"] for r in rows], limit))

    def _effect(self, ctx: Context, row: dict[str, Any]) -> Effect:
        recipient = row["recipient"]
        if isinstance(recipient, str):
            recipient = json.loads(recipient)
        due = row["due_date"]
        due = due if isinstance(due, date) else date.fromisoformat(str(due))
        step = str(row["step"])
        payload: dict[str, Any] = {
            "number": row["number"],
            "grand_total": row["grand_total"],
            "due_date": format_day(due, row["language"]),
            "language": row["language"],
            "customer_name": recipient.get("contact_name", ""),
            "days_overdue": int(step),
        }
        if recipient.get("email"):
            payload["to"] = recipient["email"]
        key = f"{ctx.tenant.id}:invoice.overdue:{row['id']}:{step}"
        return Effect(row["id"], step, "invoice", "invoice.overdue", payload, key)
