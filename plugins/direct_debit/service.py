"""Mandates and the monthly collection run, every query filtered on ``ctx.tenant.id``.

A mandate is ``pending`` until the bank or collecting agent accepts it (``activate``), then
``active`` from its effective date. Each month each bill (payable) joins the mandate's run once
(``dd:{mandate_id}:{yyyymm}:{payable_type}:{payable_id}``). The run is exported as a Zengin
request file, and the results come back either as the bank's result file or as statuses staff
enter (collected, or failed with a reason); each becomes a ``PaymentOutcome`` once (a second,
different result is refused).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from core.clock import local_date
from core.context import Context
from core.context import context_scope as scope
from core.contracts.payments import PaymentOutcome, PaymentState
from core.errors import FieldError, NotFound, ValidationFailed
from plugins.direct_debit import zengin
from plugins.direct_debit.tables import Collection, Mandate

PENDING, ACTIVE, REJECTED, CANCELLED = "pending", "active", "rejected", "cancelled"
COLLECTED, FAILED, EXPORTED = "collected", "failed", "exported"
FAILURE_REASONS = tuple(code for code, name in zengin.RESULT_CODES.items() if code != "0")


def _refuse(errors: list[FieldError]) -> None:
    if errors:
        raise ValidationFailed(errors)


@dataclass(frozen=True)
class MandateForm:
    """What the customer writes on the debit authorisation (預金口座振替依頼書)."""

    customer_id: int
    bank_code: str
    branch_code: str
    account_type: str
    account_number: str
    holder_kana: str
    bank_name_kana: str = ""
    branch_name_kana: str = ""


def _clean(form: MandateForm) -> dict[str, Any]:
    values = {
        "bank_code": form.bank_code.strip(),
        "branch_code": form.branch_code.strip(),
        "account_type": form.account_type.strip(),
        "account_number": form.account_number.strip().zfill(7),
        "holder_kana": zengin.to_zengin_kana(form.holder_kana),
        "bank_name_kana": zengin.to_zengin_kana(form.bank_name_kana),
        "branch_name_kana": zengin.to_zengin_kana(form.branch_name_kana),
    }
    checks = (
        ("bank_code", re.fullmatch(r"\d{4}", values["bank_code"])),
        ("branch_code", re.fullmatch(r"\d{3}", values["branch_code"])),
        ("account_type", values["account_type"] in ("1", "2")),
        ("account_number", re.fullmatch(r"\d{7}", values["account_number"])),
        (
            "holder_kana",
            zengin.is_zengin_kana(values["holder_kana"]) and len(values["holder_kana"]) <= 30,
        ),
        (
            "bank_name_kana",
            not values["bank_name_kana"] or zengin.is_zengin_kana(values["bank_name_kana"]),
        ),
        (
            "branch_name_kana",
            not values["branch_name_kana"] or zengin.is_zengin_kana(values["branch_name_kana"]),
        ),
    )
    _refuse([FieldError(name, f"direct_debit.{name}_invalid") for name, ok in checks if not ok])
    return values


async def register_mandate(ctx: Context, form: MandateForm) -> int:
    """Record a submitted authorisation as ``pending``; returns the mandate id."""
    values = _clean(form)
    now = ctx.clock.now()
    with scope(ctx):
        rows = await Mandate.insert(
            Mandate(
                tenant_id=ctx.tenant.id,
                customer_id=form.customer_id,
                status=PENDING,
                created_at=now,
                updated_at=now,
                **values,
            )
        ).returning(Mandate.id)
    return int(rows[0]["id"])


async def mandate(ctx: Context, mandate_id: int) -> dict[str, Any]:
    with scope(ctx):
        row = (
            await Mandate.select()
            .where((Mandate.tenant_id == ctx.tenant.id) & (Mandate.id == mandate_id))
            .first()
        )
    if row is None:
        raise NotFound("direct_debit.mandate_not_found", mandate_id)
    return row


async def _move(
    ctx: Context, mandate_id: int, allowed: tuple[str, ...], values: dict[Any, Any]
) -> None:
    with scope(ctx):
        moved = await (
            Mandate.update({**values, Mandate.updated_at: ctx.clock.now()})
            .where(
                (Mandate.tenant_id == ctx.tenant.id)
                & (Mandate.id == mandate_id)
                & Mandate.status.is_in(list(allowed))
            )
            .returning(Mandate.id)
        )
    if not moved:
        await mandate(ctx, mandate_id)  # NotFound for another tenant's mandate
        _refuse([FieldError("status", "direct_debit.mandate_status_invalid")])


async def activate_mandate(ctx: Context, mandate_id: int, effective_date: date) -> None:
    """The bank or agent accepted the authorisation: active from ``effective_date``."""
    await _move(
        ctx,
        mandate_id,
        (PENDING,),
        {Mandate.status: ACTIVE, Mandate.effective_date: effective_date},
    )


async def reject_mandate(ctx: Context, mandate_id: int, reason: str) -> None:
    await _move(
        ctx, mandate_id, (PENDING,), {Mandate.status: REJECTED, Mandate.status_reason: reason}
    )


async def cancel_mandate(ctx: Context, mandate_id: int, reason: str = "") -> None:
    await _move(
        ctx,
        mandate_id,
        (PENDING, ACTIVE),
        {Mandate.status: CANCELLED, Mandate.status_reason: reason},
    )


async def active_mandate(ctx: Context, customer_id: int, on: date) -> dict[str, Any] | None:
    """The customer's mandate in force on ``on`` (the newest, if several)."""
    with scope(ctx):
        rows = (
            await Mandate.select()
            .where(
                (Mandate.tenant_id == ctx.tenant.id)
                & (Mandate.customer_id == customer_id)
                & (Mandate.status == ACTIVE)
                & (Mandate.effective_date <= on)
            )
            .order_by(Mandate.id, ascending=False)
        )
    return rows[0] if rows else None


def reference(mandate_id: int, month: str, payable_type: str, payable_id: int) -> str:
    """One collection per mandate, month and bill: two plans of a customer never share one."""
    return f"dd:{mandate_id}:{month}:{payable_type}:{payable_id}"


async def add_to_run(
    ctx: Context,
    mandate_id: int,
    *,
    month: str,
    debit_date: date,
    payable_type: str,
    payable_id: int,
    amount: int,
) -> dict[str, Any]:
    """The month's collection of one bill from the mandate, created once (a retry returns the
    same row; another bill of the same customer gets its own)."""
    if not re.fullmatch(r"\d{4}(0[1-9]|1[0-2])", month):
        _refuse([FieldError("month", "direct_debit.month_invalid")])
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        _refuse([FieldError("amount", "direct_debit.amount_invalid")])
    found = await mandate(ctx, mandate_id)
    if found["status"] != ACTIVE or found["effective_date"] > debit_date:
        _refuse([FieldError("mandate_id", "direct_debit.mandate_not_active")])
    ref = reference(mandate_id, month, payable_type, payable_id)
    with scope(ctx):
        await Collection.insert(
            Collection(
                tenant_id=ctx.tenant.id,
                mandate_id=mandate_id,
                month=month,
                reference=ref,
                payable_type=payable_type,
                payable_id=payable_id,
                amount=amount,
                debit_date=debit_date,
                status=PENDING,
                created_at=ctx.clock.now(),
            )
        ).on_conflict(target=(Collection.tenant_id, Collection.reference))
        row = (
            await Collection.select()
            .where((Collection.tenant_id == ctx.tenant.id) & (Collection.reference == ref))
            .first()
        )
    assert row is not None
    return row


async def export_run(ctx: Context, consignor: zengin.Consignor, debit_date: date) -> bytes:
    """The request file of every collection due on ``debit_date`` not yet resolved; marks them
    exported. Exporting again yields the same file (results already in are left out)."""
    with scope(ctx):
        rows = (
            await Collection.select()
            .where(
                (Collection.tenant_id == ctx.tenant.id)
                & (Collection.debit_date == debit_date)
                & Collection.status.is_in([PENDING, EXPORTED])
            )
            .order_by(Collection.id)
        )
        mandates = {
            m["id"]: m
            for m in await Mandate.select().where(
                (Mandate.tenant_id == ctx.tenant.id)
                & Mandate.id.is_in([r["mandate_id"] for r in rows] or [0])
            )
        }
        firsts = {
            r["mandate_id"]
            for r in await Collection.select(Collection.mandate_id).where(
                (Collection.tenant_id == ctx.tenant.id) & (Collection.status == COLLECTED)
            )
        }
        lines = []
        for row in rows:
            m = mandates[row["mandate_id"]]
            lines.append(
                zengin.DebitLine(
                    bank_code=m["bank_code"],
                    bank_name_kana=m["bank_name_kana"],
                    branch_code=m["branch_code"],
                    branch_name_kana=m["branch_name_kana"],
                    account_type=m["account_type"],
                    account_number=m["account_number"],
                    holder_kana=m["holder_kana"],
                    amount=row["amount"],
                    customer_number=str(row["id"]),
                    first_time=row["mandate_id"] not in firsts,
                )
            )
        data = zengin.request_file(consignor, debit_date, lines)
        if rows:
            await Collection.update(
                {Collection.status: EXPORTED, Collection.exported_at: ctx.clock.now()}
            ).where(
                (Collection.tenant_id == ctx.tenant.id)
                & Collection.id.is_in([r["id"] for r in rows])
                & (Collection.status == PENDING)
            )
    return data


def outcome(row: dict[str, Any]) -> PaymentOutcome:
    state = PaymentState.SUCCEEDED if row["status"] == COLLECTED else PaymentState.FAILED
    return PaymentOutcome(
        state, row["reference"], row["payable_type"], row["payable_id"], row["amount"]
    )


async def record_result(
    ctx: Context, collection_reference: str, result_code: str, recorded_by: str = ""
) -> PaymentOutcome:
    """One collection's result (``0`` collected, or a failure code of ``zengin.RESULT_CODES``),
    entered by staff or read from the result file. The same result again reports the same
    outcome; a different one is refused (it would contradict an applied outcome)."""
    if result_code not in zengin.RESULT_CODES:
        _refuse([FieldError("result_code", "direct_debit.result_code_invalid")])
    status = COLLECTED if result_code == "0" else FAILED
    with scope(ctx):
        moved = await (
            Collection.update(
                {
                    Collection.status: status,
                    Collection.result_code: result_code,
                    Collection.failure_reason: ""
                    if status == COLLECTED
                    else zengin.RESULT_CODES[result_code],
                    Collection.result_at: ctx.clock.now(),
                    Collection.recorded_by: recorded_by,
                }
            )
            .where(
                (Collection.tenant_id == ctx.tenant.id)
                & (Collection.reference == collection_reference)
                & Collection.status.is_in([PENDING, EXPORTED])
            )
            .returning(Collection.id)
        )
        row = (
            await Collection.select()
            .where(
                (Collection.tenant_id == ctx.tenant.id)
                & (Collection.reference == collection_reference)
            )
            .first()
        )
    if row is None:
        raise NotFound("direct_debit.collection_not_found", collection_reference)
    if not moved and row["result_code"] != result_code:
        _refuse([FieldError("result_code", "direct_debit.result_already_recorded")])
    return outcome(row)


async def import_results(ctx: Context, data: bytes, recorded_by: str = "") -> list[PaymentOutcome]:
    """Every data record of the bank's result file as an outcome (customer number =
    collection id). A malformed file is refused as a whole before anything is recorded."""
    try:
        lines = zengin.parse_results(data)
    except (zengin.ResultFileError, UnicodeDecodeError) as exc:
        raise ValidationFailed(
            [FieldError("file", "direct_debit.result_file_invalid", {"problem": str(exc)})]
        ) from None
    with scope(ctx):
        rows = await Collection.select(
            Collection.id, Collection.reference, Collection.amount
        ).where(
            (Collection.tenant_id == ctx.tenant.id)
            & Collection.id.is_in([int(line.customer_number) for line in lines] or [0])
        )
    by_id = {row["id"]: row for row in rows}
    for line in lines:
        row = by_id.get(int(line.customer_number))
        if row is None or row["amount"] != line.amount:
            raise ValidationFailed(
                [
                    FieldError(
                        "file",
                        "direct_debit.result_line_unknown",
                        {"customer_number": line.customer_number},
                    )
                ]
            )
    return [
        await record_result(
            ctx, by_id[int(line.customer_number)]["reference"], line.result_code, recorded_by
        )
        for line in lines
    ]


def this_month(ctx: Context) -> str:
    return local_date(ctx.clock).strftime("%Y%m")
