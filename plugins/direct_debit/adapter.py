"""The ``direct_debit`` PaymentAdapter (口座振替) for monthly plans.

``start`` and ``charge_saved`` put the bill into the month's collection run of the customer's
active mandate and answer PENDING with reference
``dd:{mandate_id}:{yyyymm}:{payable_type}:{payable_id}`` (one per bill); the debit date
is the tenant's debit day (default the 27th) of the first month whose debit date is at least
``lead_days`` (default 10) away, so the request file reaches the bank in time. ``confirm``
takes the bank's result file (``{"file": bytes}``) or staff-entered results (``{"results":
[{"reference", "result_code"}], "recorded_by"}``) and gives SUCCEEDED or FAILED per collection.
``refund`` is a manual transfer: PENDING until finance staff carry it out.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any, ClassVar

from core.clock import local_date
from core.context import Context
from core.contracts.common import ConfigField, PluginAccount, Yen
from core.contracts.payments import (
    PaymentOutcome,
    PaymentRequest,
    PaymentStart,
    PaymentState,
    RefundOutcome,
)
from core.errors import FieldError, ValidationFailed
from plugins.direct_debit import service, zengin

DEFAULT_DEBIT_DAY = 27
DEFAULT_LEAD_DAYS = 10


def debit_date_for(config: Mapping[str, Any], today: date) -> date:
    """The next debit date of a direct-debit account (its ``debit_day`` and ``lead_days``
    settings) for a bill made on ``today``."""
    day = int(config.get("debit_day") or DEFAULT_DEBIT_DAY)
    lead = int(config.get("lead_days") or DEFAULT_LEAD_DAYS)
    return debit_date_after(today, min(max(day, 1), 28), lead)


def debit_date_after(today: date, debit_day: int, lead_days: int) -> date:
    """The first debit day at least ``lead_days`` after ``today``."""
    earliest = today + timedelta(days=lead_days)
    candidate = earliest.replace(day=debit_day)
    if candidate < earliest:
        first_next = (earliest.replace(day=28) + timedelta(days=4)).replace(day=1)
        candidate = first_next.replace(day=debit_day)
    return candidate


class DirectDebitAdapter:
    code: ClassVar[str] = "direct_debit"
    supports_recurring: ClassVar[bool] = True
    config_fields: ClassVar[tuple[ConfigField, ...]] = (
        ConfigField("consignor_code", "payments.direct_debit.consignor_code"),
        ConfigField("consignor_name_kana", "payments.direct_debit.consignor_name_kana"),
        ConfigField("bank_code", "payments.direct_debit.bank_code"),
        ConfigField("bank_name_kana", "payments.direct_debit.bank_name_kana"),
        ConfigField("branch_code", "payments.direct_debit.branch_code"),
        ConfigField("branch_name_kana", "payments.direct_debit.branch_name_kana"),
        ConfigField(
            "account_type", "payments.direct_debit.account_type", kind="choice", choices=("1", "2")
        ),
        ConfigField("account_number", "payments.direct_debit.account_number"),
        ConfigField("debit_day", "payments.direct_debit.debit_day", kind="int", required=False),
        ConfigField("lead_days", "payments.direct_debit.lead_days", kind="int", required=False),
    )

    def __init__(self, account: PluginAccount) -> None:
        self.account = account

    def consignor(self) -> zengin.Consignor:
        config = self.account.config
        return zengin.Consignor(
            code=str(config["consignor_code"]),
            name_kana=zengin.to_zengin_kana(str(config["consignor_name_kana"])),
            bank_code=str(config["bank_code"]),
            bank_name_kana=zengin.to_zengin_kana(str(config.get("bank_name_kana", ""))),
            branch_code=str(config["branch_code"]),
            branch_name_kana=zengin.to_zengin_kana(str(config.get("branch_name_kana", ""))),
            account_type=str(config.get("account_type", "1")),
            account_number=str(config["account_number"]),
        )

    def debit_date(self, ctx: Context) -> date:
        return debit_date_for(self.account.config, local_date(ctx.clock))

    async def _collect(
        self, ctx: Context, request: PaymentRequest, mandate_id: int | None
    ) -> PaymentStart | None:
        debit_date = self.debit_date(ctx)
        if mandate_id is None:
            found = await service.active_mandate(ctx, request.customer_id, debit_date)
            if found is None:
                return None
            mandate_id = found["id"]
        else:
            found = await service.mandate(ctx, mandate_id)
            if found["customer_id"] != request.customer_id:
                return None
        row = await service.add_to_run(
            ctx,
            mandate_id,
            month=debit_date.strftime("%Y%m"),
            debit_date=debit_date,
            payable_type=request.payable_type,
            payable_id=request.payable_id,
            amount=request.amount,
        )
        state = {
            service.COLLECTED: PaymentState.SUCCEEDED,
            service.FAILED: PaymentState.FAILED,
        }.get(row["status"], PaymentState.PENDING)
        return PaymentStart(
            state=state,
            reference=row["reference"],
            instructions={
                "mandate_id": mandate_id,
                "debit_date": row["debit_date"].isoformat(),
                "amount": row["amount"],
            },
        )

    async def start(self, ctx: Context, request: PaymentRequest) -> PaymentStart:
        """A monthly plan's bill joins the run; without an active mandate, a field error."""
        started = await self._collect(ctx, request, _mandate_ref(request.saved_method_ref))
        if started is None:
            raise ValidationFailed([FieldError("mandate_id", "direct_debit.mandate_not_active")])
        return started

    async def charge_saved(self, ctx: Context, request: PaymentRequest) -> PaymentStart:
        """The monthly bill of automatic renewal; FAILED when no mandate is in force."""
        started = await self._collect(ctx, request, _mandate_ref(request.saved_method_ref))
        if started is None:
            return PaymentStart(PaymentState.FAILED, f"dd-charge:{ctx.idempotency_key}:no-mandate")
        return started

    async def export(self, ctx: Context, debit_date: date) -> bytes:
        """The Zengin request file for ``debit_date`` (to upload to the bank or agent)."""
        return await service.export_run(ctx, self.consignor(), debit_date)

    async def confirm(self, ctx: Context, evidence: dict[str, Any]) -> list[PaymentOutcome]:
        recorded_by = str(evidence.get("recorded_by", ""))
        if "file" in evidence:
            return await service.import_results(ctx, evidence["file"], recorded_by)
        return [
            await service.record_result(
                ctx, str(item["reference"]), str(item["result_code"]), recorded_by
            )
            for item in evidence.get("results", [])
        ]

    async def refund(self, ctx: Context, reference: str, amount: Yen) -> RefundOutcome:
        """A transfer back to the customer that finance staff carry out, then mark done."""
        return RefundOutcome(
            reference=f"dd-refund:{reference}:{ctx.idempotency_key}",
            amount=amount,
            state=PaymentState.PENDING,
        )


def _mandate_ref(saved_method_ref: str | None) -> int | None:
    """``mandate:{id}`` (or a bare id) as the saved method; anything else means "the
    customer's active mandate"."""
    if not saved_method_ref:
        return None
    text = saved_method_ref.removeprefix("mandate:")
    return int(text) if text.isdigit() else None
