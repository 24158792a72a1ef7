"""Renewal reminders (更新のご案内): ``renewal.due`` 90, 30, 7 and 1 days before an entitlement
expires (the tenant's own days if it chose others), each (entitlement, days) once.

Which entitlements: issued certificates, and active terms bought with a payment method
(contract terms); an unredeemed voucher code (active, no payment method) is not renewed, its
redeem-by date is not an expiry to renew. A reminder is sent only for days crossed while the
entitlement existed: a certificate issued 20 days before expiry gets the 7- and 1-day reminders,
not a stale 90- or 30-day one (its mark records it as skipped). Windows allow a late run by
``GRACE_DAYS - 1`` days (``core.schedules.windows``).

The query reads ``entitlements_entitlement`` by ``expires_at`` (indexed) inside the day windows
only, so its cost grows with the entitlements due, not with the entitlements stored.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.billing.pdf import format_day
from core.context import Context
from core.entitlements.tables import Entitlement
from core.links import certificate_page
from core.schedules.marks import Effect, emit_once
from core.schedules.recipients import Recipient, RecipientLookup, customer_recipient
from core.schedules.reminder_settings import days_in_use, reminder_days
from core.schedules.sweep import Batch, next_cursor
from core.schedules.windows import Window, as_datetime, day_start, windows_before

RENEWABLE = (
    "(e.state = 'issued' OR (e.state = 'active' AND e.payment_method <> ''))"
    " AND e.expires_at IS NOT NULL"
)


def _sql_windows(windows: Sequence[Window]) -> tuple[str, str, list[datetime], list[datetime]]:
    """(any-window predicate, step CASE) on ``e.expires_at``, each with its arguments."""
    where, case, where_args, case_args = [], [], [], []
    for w in windows:
        bounds = [day_start(w.first), day_start(w.last + timedelta(days=1))]
        where.append("(e.expires_at >= {} AND e.expires_at < {})")
        case.append(f"WHEN e.expires_at >= {{}} AND e.expires_at < {{}} THEN '{w.step}'")
        where_args += bounds
        case_args += bounds
    return "(" + " OR ".join(where) + ")", "CASE " + " ".join(case) + " END", where_args, case_args


RenewUrl = Callable[[str, int], str]
"""``(tenant slug, entitlement id) -> link`` to the page where the customer renews."""


def default_renew_url(public_url: str) -> RenewUrl:
    """The entitlement's portal page on the tenant's host (``core.links.certificate_page``)."""
    return lambda slug, entitlement_id: certificate_page(public_url, slug, entitlement_id)


class RenewalReminders:
    name = "renewal_reminder"
    queue = "default"

    def __init__(
        self,
        renew_url: RenewUrl | None = None,
        recipient: RecipientLookup = customer_recipient,
    ) -> None:
        self.renew_url = renew_url or default_renew_url("")
        self.recipient = recipient

    def _sql(
        self, today: date, days: Sequence[int], select: str, extra: str = ""
    ) -> tuple[str, list[Any], list[Any]]:
        where, case, where_args, case_args = _sql_windows(windows_before(today, days))
        sql = (
            f"SELECT {select} FROM entitlements_entitlement e WHERE {RENEWABLE} AND {where}"
            " AND NOT EXISTS (SELECT 1 FROM schedules_mark m WHERE m.tenant_id = e.tenant_id"
            f" AND m.job = '{self.name}' AND m.subject_id = e.id AND m.step = {case}){extra}"
        )
        return sql, [*where_args, *case_args], case_args

    async def tenants_due(self, today: date) -> list[int]:
        sql, args, _ = self._sql(today, await days_in_use(), "DISTINCT e.tenant_id")
        rows = await Entitlement.raw(sql + " ORDER BY e.tenant_id", *args).run()
        return [row["tenant_id"] for row in rows]

    async def run_batch(self, ctx: Context, today: date, cursor: int, limit: int) -> Batch:
        days = await reminder_days(ctx)
        _, case, _, _ = _sql_windows(windows_before(today, days))
        sql, args, case_args = self._sql(
            today,
            days,
            "e.id, e.customer_id, e.product_code, e.data, e.issued_at, e.created_at,"
            f" e.expires_at, e.auto_renew, {case} AS step",
            " AND e.tenant_id = {} AND e.id > {} ORDER BY e.id LIMIT {}",
        )
        rows = await Entitlement.raw(sql, *case_args, *args, ctx.tenant.id, cursor, limit).run()
        found: dict[int, Recipient | None] = {}
        effects = [await self._effect(ctx, today, row, found) for row in rows]
        done = await emit_once(ctx, self.name, effects)
        return Batch(len(rows), done, next_cursor([r["id"] for r in rows], limit))

    async def _effect(
        self,
        ctx: Context,
        today: date,
        row: dict[str, Any],
        found: dict[int, Recipient | None],
    ) -> Effect:
        step = int(row["step"])
        expires_on = as_datetime(row["expires_at"]).astimezone(ZoneInfo(ctx.tenant.time_zone))
        tz = ZoneInfo(ctx.tenant.time_zone)
        began = as_datetime(row["issued_at"] or row["created_at"]).astimezone(tz).date()
        threshold = expires_on.date() - timedelta(days=step)
        if began > threshold:  # issued after this reminder's day: never a stale reminder
            return Effect(row["id"], str(step), "", "", {}, "", {"skipped": "issued_after"})
        data = row["data"] if isinstance(row["data"], dict) else json.loads(row["data"] or "{}")
        language = ctx.tenant.language
        payload: dict[str, Any] = {
            "entitlement_id": row["id"],
            "common_name": data.get("common_name") or row["product_code"],
            "expires_on": format_day(expires_on.date(), language),
            "renew_url": self.renew_url(ctx.tenant.slug, row["id"]),
            "days_left": (expires_on.date() - today).days,
            "days_before": step,
            "auto_renew": bool(row["auto_renew"]),
            "language": language,
        }
        customer_id = row["customer_id"]
        if customer_id is not None:
            if customer_id not in found:
                found[customer_id] = await self.recipient(ctx, customer_id)
            recipient = found[customer_id]
            if recipient is not None:
                payload.update(to=recipient.email, customer_name=recipient.name)
        key = f"{ctx.tenant.id}:renewal.due:{row['id']}:{step}"
        return Effect(row["id"], str(step), "entitlement", "renewal.due", payload, key)
