"""DigiCert's scheduled jobs, of the sweep pattern of ``core.schedules.sweep`` (registered in
``plugins/digicert/__init__.py`` through ``register_schedule_jobs`` and
``register_periodic_tasks``; docs/schedules.md).

``digicert_voucher_expiry`` (daily 09:15 JST): an unused voucher code whose redeem-by day has
passed becomes ``expired`` (期限切れ), and so does its ``voucher_code`` entitlement. A code can
be redeemed through the whole redeem-by day in UTC (``provider.redeem_by_end``: 09:00 JST the
next day), hence the beat time; a code is expired only once that instant has passed by the
job's clock. The change is a conditional update (``status = 'active'``) and its mark
(``schedules_mark``, step ``expired``) is written in the same transaction, so a second run,
or a code redeemed at the same moment, changes nothing.

``digicert_ongoing_invoice`` (06:30 JST on the 1st to 3rd, the 2nd and 3rd catching up): a tenant
whose wholesale contract is OnGoing gets one invoice for last month's deliveries (前月分を毎月請求):
every completed voucher order created last month (JST) without an invoice of its own, their
lines in order, issued on the 1st on the contract's payment term, through
``vouchers.issue_provider_invoice`` (its line texts, gapless numbers). The invoice's source is
``digicert_ongoing`` / ``-yyyymm``: that helper keys invoices ``digicert:{kind}:{source_id}``
and a negative month can never equal a voucher order's (positive) id. Then the mark (subject
``yyyymm``, step ``invoiced``); a retry after a crash finds the invoice under its key.

``digicert_bulk_invoice`` (daily 06:40 JST, beside the OnGoing run): a bulk-purchase contract
(一括購入) has no billing per order or per month. Its minimum purchase level (最低購入レベル) is
invoiced once, dated its effective date (「デジサート」は、「発効日」をもって「最低購入レベル」を
「リセラー」に請求します), NET30EOM (``core.billing.timing``), from the first run on or after that
day; the mark's subject is the effective date (``yyyymmdd``), so a renewed contract with a new
effective date is billed again. Nothing is ever credited against it: cancelling a voucher
order under a bulk contract voids no invoice and returns no balance (いかなる場合においても、
クレジット又は返金を受ける権利を有しない). Codes generated under it lapse after the anniversary
of the effective date (「発効日」の 1 年後の応当日までに発行されない「証明書」は、失効する): their
redeem-by day is that anniversary at the latest (``vouchers.store_codes``), and
``digicert_voucher_expiry`` expires them after it.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from core.billing.invoices import create_invoice
from core.billing.models import InvoiceDraft, LineDraft
from core.billing.terms import PaymentTerm
from core.billing.timing import ContractType, bulk_lapse_day, invoice_schedule
from core.catalog.calendar import tenant_today
from core.context import Context
from core.contracts.providers import EntitlementState
from core.entitlements.tables import Entitlement
from core.schedules.marks import mark, marks
from core.schedules.sweep import Batch, next_cursor
from core.schedules.tables import ScheduleMark
from core.schedules.windows import GRACE_DAYS, day_start
from plugins.digicert.contracts import get_contract
from plugins.digicert.provider import redeem_by_end
from plugins.digicert.tables import DcContract, DcVoucherCode, DcVoucherOrder
from plugins.digicert.vouchers import issue_provider_invoice, tenant_billing_contact

VOUCHER_EXPIRY = "digicert_voucher_expiry"
VOUCHER_EXPIRY_BEAT = {"hour": 9, "minute": 15}
ACTIVE, EXPIRED = "active", "expired"
ONGOING_INVOICE = "digicert_ongoing_invoice"
ONGOING_INVOICE_BEAT = {"hour": 6, "minute": 30, "day_of_month": f"1-{GRACE_DAYS}"}
INVOICED = "invoiced"
BULK_INVOICE = "digicert_bulk_invoice"
BULK_INVOICE_BEAT = {"hour": 6, "minute": 40}
BULK_SERVICE_CODE = "BULK MIN"


def billed_month(today: date) -> date | None:
    """The first day of the month billed today (last month), or None after the grace days."""
    if today.day > GRACE_DAYS:
        return None
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


class OngoingInvoices:
    name = ONGOING_INVOICE
    queue = "billing"
    transactional = False  # create_invoice takes the numbering lock in its own transaction

    def _sql(self, month: date, select: str, extra: str = "") -> tuple[str, list[Any]]:
        end = (month + timedelta(days=32)).replace(day=1)
        sql = (
            f"SELECT {select} FROM digicert_voucher_order o"
            " JOIN digicert_contract c ON c.tenant_id = o.tenant_id"
            " WHERE c.contract_type = 'ongoing' AND o.status = 'completed'"
            " AND o.invoice_id IS NULL AND o.created_at >= {} AND o.created_at < {}"
            " AND NOT EXISTS (SELECT 1 FROM schedules_mark m WHERE m.tenant_id = o.tenant_id"
            f" AND m.job = '{ONGOING_INVOICE}' AND m.subject_id = {{}}"
            f" AND m.step = '{INVOICED}'){extra}"
        )
        return sql, [day_start(month), day_start(end), int(f"{month:%Y%m}")]

    async def tenants_due(self, today: date) -> list[int]:
        month = billed_month(today)
        if month is None:
            return []
        sql, args = self._sql(month, "DISTINCT o.tenant_id")
        rows = await DcVoucherOrder.raw(sql + " ORDER BY o.tenant_id", *args).run()
        return [row["tenant_id"] for row in rows]

    async def run_batch(self, ctx: Context, today: date, cursor: int, limit: int) -> Batch:
        """The tenant's one invoice of the month (every order of it, whatever ``limit``)."""
        month = billed_month(today)
        if month is None:
            return Batch(0, 0, None)
        sql, args = self._sql(
            month, "o.id, o.lines", " AND o.tenant_id = {} ORDER BY o.created_at, o.id"
        )
        rows = await DcVoucherOrder.raw(sql, *args, ctx.tenant.id).run()
        if not rows:
            return Batch(0, 0, None)
        lines = [line for row in rows for line in _json_list(row["lines"])]
        contract = await get_contract(ctx)
        subject = int(f"{month:%Y%m}")
        invoice_id = await issue_provider_invoice(
            ctx, contract, lines, "digicert_ongoing", -subject, "voucher_order", "N.A"
        )
        detail = {"invoice_id": invoice_id, "orders": [row["id"] for row in rows]}
        done = await mark(ctx, ONGOING_INVOICE, subject, INVOICED, detail)
        return Batch(len(rows), int(done), None)


class BulkInvoices:
    name = BULK_INVOICE
    queue = "billing"
    transactional = False  # create_invoice takes the numbering lock in its own transaction

    async def tenants_due(self, today: date) -> list[int]:
        rows = await (
            DcContract.select(DcContract.tenant_id, DcContract.effective_on)
            .where(
                (DcContract.contract_type == ContractType.BULK.value)
                & (DcContract.effective_on.is_not_null())
                & (DcContract.effective_on <= today)
            )
            .order_by(DcContract.tenant_id)
            .run()
        )
        due = []
        for row in rows:  # one contract per tenant; few are bulk
            billed = await ScheduleMark.exists().where(
                (ScheduleMark.tenant_id == row["tenant_id"])
                & (ScheduleMark.job == BULK_INVOICE)
                & (ScheduleMark.subject_id == _subject(row["effective_on"]))
                & (ScheduleMark.step == INVOICED)
            )
            if not billed:
                due.append(row["tenant_id"])
        return due

    async def run_batch(self, ctx: Context, today: date, cursor: int, limit: int) -> Batch:
        """The minimum purchase's one invoice, dated the effective date."""
        contract = await get_contract(ctx)
        effective = contract.effective_on
        if contract.contract_type != ContractType.BULK.value or effective is None:
            return Batch(0, 0, None)
        if effective > tenant_today(ctx) or await marks(ctx, BULK_INVOICE, _subject(effective)):
            return Batch(0, 0, None)
        schedule = invoice_schedule(ContractType.BULK, effective)
        draft = InvoiceDraft(
            source_type="digicert_bulk",
            source_id=effective.isoformat(),
            issuer=contract.issuer,
            bank_account=contract.bank_account,
            recipient=await tenant_billing_contact(ctx),
            lines=(
                LineDraft(
                    service_code=BULK_SERVICE_CODE,
                    item=f"Minimum Purchase Level {schedule.period_start:%Y-%m-%d}"
                    f" - {schedule.period_end:%Y-%m-%d}",
                    quantity=1,
                    unit_price=contract.minimum_purchase,
                ),
            ),
            term=schedule.term or PaymentTerm(contract.payment_term),
            contract_type=ContractType.BULK,
            issue_date=schedule.issue_date,
            language=ctx.tenant.language,
        )
        key = f"digicert:bulk:{effective:%Y%m%d}"
        invoice = await create_invoice(ctx.with_key(key), draft)
        detail = {"invoice_id": invoice.id, "lapses_after": bulk_lapse_day(effective).isoformat()}
        done = await mark(ctx, BULK_INVOICE, _subject(effective), INVOICED, detail)
        return Batch(1, int(done), None)


def _subject(effective: Any) -> int:
    day = effective if isinstance(effective, date) else date.fromisoformat(str(effective))
    return int(f"{day:%Y%m%d}")


def _json_list(value: Any) -> list[dict[str, Any]]:
    return value if isinstance(value, list) else json.loads(value or "[]")


class VoucherExpiry:
    name = VOUCHER_EXPIRY
    queue = "default"

    def _sql(self, today: date, select: str, extra: str = "") -> tuple[str, list[Any]]:
        sql = (
            f"SELECT {select} FROM digicert_voucher_code c"
            f" WHERE c.status = '{ACTIVE}' AND c.redeem_by < {{}}{extra}"
        )
        return sql, [today]

    async def tenants_due(self, today: date) -> list[int]:
        sql, args = self._sql(today, "DISTINCT c.tenant_id")
        rows = await DcVoucherCode.raw(sql + " ORDER BY c.tenant_id", *args).run()
        return [row["tenant_id"] for row in rows]

    async def run_batch(self, ctx: Context, today: date, cursor: int, limit: int) -> Batch:
        sql, args = self._sql(
            today,
            "c.id, c.value, c.redeem_by",
            " AND c.tenant_id = {} AND c.id > {} ORDER BY c.id LIMIT {}",
        )
        rows = await DcVoucherCode.raw(sql, *args, ctx.tenant.id, cursor, limit).run()
        now = ctx.clock.now()
        done = 0
        for row in rows:
            redeem_by = row["redeem_by"]
            if not isinstance(redeem_by, date):
                redeem_by = date.fromisoformat(str(redeem_by))
            if now >= redeem_by_end(redeem_by):
                done += await expire_code(ctx, row["id"], row["value"])
        return Batch(len(rows), done, next_cursor([r["id"] for r in rows], limit))


async def expire_code(ctx: Context, code_id: int, value: str) -> int:
    """Expire one unused code and its entitlement (inside the batch's transaction); 1 when
    this call did it."""
    now = ctx.clock.now()
    changed = await (
        DcVoucherCode.update({DcVoucherCode.status: EXPIRED})
        .where(
            (DcVoucherCode.id == code_id)
            & (DcVoucherCode.tenant_id == ctx.tenant.id)
            & (DcVoucherCode.status == ACTIVE)
        )
        .returning(DcVoucherCode.id)
        .run()
    )
    if not changed or not await mark(ctx, VOUCHER_EXPIRY, code_id, EXPIRED):
        return 0
    rows = await (
        Entitlement.select(Entitlement.id, Entitlement.data)
        .where(
            (Entitlement.tenant_id == ctx.tenant.id)
            & (Entitlement.provider_code == "digicert")
            & (Entitlement.upstream_ref == value)
            & (Entitlement.state == EntitlementState.ACTIVE.value)
        )
        .output(load_json=True)
        .run()
    )
    for row in rows:
        data = row["data"] or {}
        if data.get("kind") != "voucher_code":
            continue
        await (
            Entitlement.update(
                {
                    Entitlement.state: EntitlementState.EXPIRED.value,
                    Entitlement.data: {**data, "status": EXPIRED},
                    Entitlement.updated_at: now,
                }
            )
            .where(
                (Entitlement.id == row["id"]) & (Entitlement.state == EntitlementState.ACTIVE.value)
            )
            .run()
        )
    return 1
