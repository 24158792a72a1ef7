"""Automatic renewal charges (自動更新の課金) for card and wallet terms, with dunning.

Due day per ``core.renewal.charge_date``: card on the 5th of the month the term ends (after the
change deadline of the 4th), wallet on the customer's renewal day (5, 10, 15, 20 or 25) of that
month. A failed charge is tried again ``DUNNING_DAYS`` after the due day (so at most three
attempts, all before the term ends); each failure mails ``renewal.failed`` (the next attempt's
date, or that the term switched to manual renewal). After the last failure, or at once when the
card asks for authentication (3-D Secure cannot happen off-session), ``auto_renew`` is turned
off: the customer renews by hand, as DOMAIN's hosting seed says.

Through the order engine: before the first attempt the term's renewal order is placed once
(``core.schedules.renewal_orders``: same product, the tenant's retail price of that day,
key ``renew:{entitlement}:{term_end:%Y%m%d}``), and every attempt charges that order's total.
Attempt ``n`` is charged with key ``renew:{entitlement}:{term_end:%Y%m%d}:{n}`` (the adapter
dedupes on it: Stripe's idempotency key, the wallet ledger's unique key); a success is applied
to the order through ``core.payments.ledger.apply_outcome`` (once per (adapter, reference)),
which moves it to ``paid`` and announces ``order.paid``: fulfilment (``core.entitlements``)
creates the next term with ``renewed_from_id`` and turns this one ``renewed``. Only then is the
attempt marked (``schedules_mark`` step ``n``, and ``done`` with ``renewal.charged``). A crash
between charge and mark charges nothing twice: the retry gets the same payment back from the
adapter, or finds the order already paid and only marks it.

When the engine cannot price the renewal (``Unpriced``) nothing is charged, ``done`` is marked
and the term switches to manual renewal.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.billing.pdf import format_day
from core.context import Context
from core.contracts.payments import PaymentOutcome, PaymentRequest, PaymentStart, PaymentState
from core.db import bound_engine
from core.entitlements.tables import Entitlement
from core.orders.states import OrderState
from core.orders.views import OrderView
from core.payments.ledger import PAID_STATES, apply_outcome
from core.renewal import charge_date, renewal_order_key
from core.schedules.marks import Effect, emit_once, mark, marks_of
from core.schedules.recipients import RecipientLookup, customer_recipient
from core.schedules.renewal_orders import (
    OrderDepsFactory,
    Unpriced,
    paid_reference,
    place_renewal_order,
    saved_method_ref,
)
from core.schedules.renewal_reminders import RenewUrl, default_renew_url
from core.schedules.sweep import Batch, next_cursor
from core.schedules.windows import as_datetime, day_start

METHODS = ("card", "wallet")
DUNNING_DAYS = (0, 2, 3)
"""Days after the due day of attempts 1, 2 and 3."""
DONE = "done"
PAYABLE_STATES = frozenset({OrderState.DRAFT, OrderState.AWAITING_PAYMENT})
log = logging.getLogger("shomei.schedules")

Charger = Callable[[Context, str, PaymentRequest], Awaitable[PaymentStart]]
"""Charge a saved method: (context with the attempt's key, adapter code, request)."""


def term_end_of(expires_at: datetime, tz: ZoneInfo) -> date:
    """The last day of the term: an expiry at local midnight ends the day before."""
    return (expires_at.astimezone(tz) - timedelta(microseconds=1)).date()


class RenewalCharges:
    name = "renewal_charge"
    queue = "billing"
    transactional = False  # a charge talks to Stripe or the wallet ledger: no long transaction

    def __init__(
        self,
        charger: Charger,
        order_deps: OrderDepsFactory,
        renew_url: RenewUrl | None = None,
        recipient: RecipientLookup = customer_recipient,
    ) -> None:
        self.charger = charger
        self.order_deps = order_deps
        self.renew_url = renew_url or default_renew_url("")
        self.recipient = recipient

    def _sql(self, today: date, select: str, extra: str = "") -> tuple[str, list[Any]]:
        """Terms with automatic renewal by card or wallet ending this month, not settled."""
        first_next = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
        sql = (
            f"SELECT {select} FROM entitlements_entitlement e WHERE e.auto_renew"
            " AND e.payment_method IN ('card', 'wallet') AND e.state IN ('active', 'issued')"
            " AND e.expires_at > {} AND e.expires_at <= {}"
            " AND NOT EXISTS (SELECT 1 FROM schedules_mark m WHERE m.tenant_id = e.tenant_id"
            f" AND m.job = '{self.name}' AND m.subject_id = e.id AND m.step = '{DONE}'){extra}"
        )
        return sql, [day_start(today), day_start(first_next + timedelta(days=1))]

    async def tenants_due(self, today: date) -> list[int]:
        sql, args = self._sql(today, "DISTINCT e.tenant_id")
        rows = await Entitlement.raw(sql + " ORDER BY e.tenant_id", *args).run()
        return [row["tenant_id"] for row in rows]

    async def run_batch(self, ctx: Context, today: date, cursor: int, limit: int) -> Batch:
        sql, args = self._sql(
            today,
            "e.id, e.customer_id, e.product_code, e.provider_account_id, e.order_line_id,"
            " e.data, e.expires_at, e.payment_method, e.renewal_day",
            " AND e.tenant_id = {} AND e.id > {} ORDER BY e.id LIMIT {}",
        )
        rows = await Entitlement.raw(sql, *args, ctx.tenant.id, cursor, limit).run()
        done = 0
        for row in rows:
            done += await self._one(ctx, today, row)
        return Batch(len(rows), done, next_cursor([r["id"] for r in rows], limit))

    async def _one(self, ctx: Context, today: date, row: dict[str, Any]) -> int:
        tz = ZoneInfo(ctx.tenant.time_zone)
        term_end = term_end_of(as_datetime(row["expires_at"]), tz)
        method = row["payment_method"]
        if (term_end.year, term_end.month) != (today.year, today.month) or today > term_end:
            return 0
        try:
            due = charge_date(method, term_end, row["renewal_day"])
        except ValueError:  # a wallet term without a valid renewal day: nothing to charge on
            return 0
        tried = {m["step"] for m in await marks_of(ctx, self.name, row["id"])}
        attempt = sum(1 for n in range(1, len(DUNNING_DAYS) + 1) if str(n) in tried) + 1
        if due is None or attempt > len(DUNNING_DAYS):
            return 0
        if today < due + timedelta(days=DUNNING_DAYS[attempt - 1]):
            return 0
        data = row["data"] if isinstance(row["data"], dict) else json.loads(row["data"] or "{}")
        order = await place_renewal_order(ctx, row, term_end, self.order_deps)
        if isinstance(order, Unpriced):
            return await self._unpriced(ctx, row, term_end, order)
        if order.state not in PAID_STATES and order.state not in PAYABLE_STATES:
            closed = Unpriced(("schedules.renewal.order_closed",))  # cancelled by staff
            return await self._unpriced(ctx, row, term_end, closed)
        key = f"{renewal_order_key(row['id'], term_end)}:{attempt}"
        if order.state in PAID_STATES:  # paid before a crash let us mark it: mark it now
            result = PaymentStart(PaymentState.SUCCEEDED, await paid_reference(ctx, order.id))
        else:
            request = PaymentRequest(
                payable_type="order",
                payable_id=order.id,
                amount=order.total,
                customer_id=row["customer_id"] or 0,
                saved_method_ref=await saved_method_ref(ctx, row, data),
            )
            result = await self.charger(ctx.with_key(key), method, request)
            if result.state is PaymentState.SUCCEEDED:
                outcome = PaymentOutcome(
                    PaymentState.SUCCEEDED, result.reference, "order", order.id, order.total
                )
                await apply_outcome(ctx.with_key(key), outcome, method)
        return await self._record(ctx, row, data, term_end, due, attempt, order, result)

    async def _unpriced(
        self, ctx: Context, row: dict[str, Any], term_end: date, unpriced: Unpriced
    ) -> int:
        """The engine cannot sell the renewal: nothing is charged, manual renewal from now."""
        log.warning(
            "renewal not priced by the engine; switched to manual renewal",
            extra={"entitlement_id": row["id"], "reasons": list(unpriced.reasons)},
        )
        detail = {"manual": True, "unpriced": list(unpriced.reasons), "term_end": str(term_end)}
        async with bound_engine().transaction():
            if await mark(ctx, self.name, row["id"], DONE, detail):
                await self._manual(ctx, row["id"])
        return 0

    async def _manual(self, ctx: Context, ent: int) -> None:
        await (
            Entitlement.update(
                {Entitlement.auto_renew: False, Entitlement.updated_at: ctx.clock.now()}
            )
            .where((Entitlement.id == ent) & (Entitlement.tenant_id == ctx.tenant.id))
            .run()
        )

    async def _record(
        self,
        ctx: Context,
        row: dict[str, Any],
        data: dict[str, Any],
        term_end: date,
        due: date,
        attempt: int,
        order: OrderView,
        result: PaymentStart,
    ) -> int:
        ent = row["id"]
        base = {
            "entitlement_id": ent,
            "order_id": order.id,
            "term_end": term_end.isoformat(),
            "amount": order.total,
            "payment_method": row["payment_method"],
            "attempt": attempt,
            "reference": result.reference,
        }
        detail = {"state": result.state.value, "reference": result.reference}
        stem = f"{ctx.tenant.id}:renewal:{ent}:{term_end:%Y%m%d}"
        if result.state is PaymentState.SUCCEEDED:
            effects = [
                Effect(ent, str(attempt), "", "", {}, "", detail),
                Effect(ent, DONE, "entitlement", "renewal.charged", base, f"{stem}:charged"),
            ]
            async with bound_engine().transaction():
                return await emit_once(ctx, self.name, effects) and 1
        last = attempt >= len(DUNNING_DAYS) or result.state is PaymentState.REQUIRES_ACTION
        language = ctx.tenant.language
        mail: dict[str, Any] = {
            **base,
            "common_name": data.get("common_name") or row["product_code"],
            "renew_url": self.renew_url(ctx.tenant.slug, ent),
            "manual": last,
            "language": language,
        }
        if not last:
            mail["next_attempt_on"] = format_day(
                due + timedelta(days=DUNNING_DAYS[attempt]), language
            )
        if row["customer_id"] is not None:
            found = await self.recipient(ctx, row["customer_id"])
            if found is not None:
                mail.update(to=found.email, customer_name=found.name)
        effects = [
            Effect(
                ent,
                str(attempt),
                "entitlement",
                "renewal.failed",
                mail,
                f"{stem}:{attempt}",
                detail,
            )
        ]
        if last:
            effects.append(Effect(ent, DONE, "", "", {}, "", {"manual": True}))
        async with bound_engine().transaction():
            written = await emit_once(ctx, self.name, effects)
            if last and written:
                await self._manual(ctx, ent)
        return 0
