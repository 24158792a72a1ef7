"""The ``bank_transfer`` PaymentAdapter: instructions out, Zengin files in.

The class is also core's bank-transfer backend (``core.payments.bank_backend``): its static
``parse_statement`` and ``match`` are the Zengin parser and the matcher, found by code through
the plugin registry, so core imports nothing of this plugin."""

from __future__ import annotations

from datetime import timedelta
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
from core.errors import ShomeiError
from core.zengin_kana import to_zengin_kana
from plugins.bank_transfer.instructions import (
    AccountType,
    TransferInstructions,
    payer_reference,
)
from plugins.bank_transfer.matching import OpenPayment, match_transfers
from plugins.bank_transfer.records import TransferLine
from plugins.bank_transfer.zengin import parse_zengin

DEFAULT_DUE_DAYS = 7


class RecurringNotSupported(ShomeiError):
    """Bank transfer cannot charge without the payer: renewal is manual."""


class BankTransferAdapter:
    code: ClassVar[str] = "bank_transfer"
    supports_recurring: ClassVar[bool] = False
    config_fields: ClassVar[tuple[ConfigField, ...]] = (
        ConfigField("bank_code", "payments.bank_transfer.bank_code"),
        ConfigField("bank_name", "payments.bank_transfer.bank_name"),
        ConfigField("branch_code", "payments.bank_transfer.branch_code"),
        ConfigField("branch_name", "payments.bank_transfer.branch_name"),
        ConfigField(
            "account_type", "payments.bank_transfer.account_type", kind="choice", choices=("1", "2")
        ),
        ConfigField("account_number", "payments.bank_transfer.account_number"),
        ConfigField("holder_kana", "payments.bank_transfer.holder_kana"),
        ConfigField("due_days", "payments.bank_transfer.due_days", kind="int", required=False),
    )

    def __init__(self, account: PluginAccount) -> None:
        self.account = account

    # what core.payments.bank_backend asks of this plugin (core never imports it)
    parse_statement = staticmethod(parse_zengin)
    match = staticmethod(match_transfers)

    def instructions(self, ctx: Context, request: PaymentRequest) -> TransferInstructions:
        config = self.account.config
        due_days = int(config.get("due_days") or DEFAULT_DUE_DAYS)
        return TransferInstructions(
            bank_code=str(config["bank_code"]),
            bank_name=str(config["bank_name"]),
            branch_code=str(config["branch_code"]),
            branch_name=str(config["branch_name"]),
            account_type=AccountType(str(config.get("account_type", "1"))),
            account_number=str(config["account_number"]),
            holder_kana=to_zengin_kana(str(config["holder_kana"])),
            amount=request.amount,
            due_date=local_date(ctx.clock) + timedelta(days=due_days),
            payer_reference=payer_reference(
                self.account.secret_key, ctx.tenant.id, request.payable_type, request.payable_id
            ),
        )

    async def start(self, ctx: Context, request: PaymentRequest) -> PaymentStart:
        instructions = self.instructions(ctx, request)
        return PaymentStart(
            state=PaymentState.PENDING,
            reference=instructions.payer_reference,
            instructions=instructions.as_dict(),
        )

    async def confirm(self, ctx: Context, evidence: dict[str, Any]) -> list[PaymentOutcome]:
        """``evidence``: ``open_payments`` (list of ``OpenPayment``) and either ``file``
        (the Zengin bytes) or ``lines`` (already parsed ``TransferLine`` values). Lines nobody
        matches produce no outcome; call ``match_transfers`` directly to see them."""
        lines: list[TransferLine]
        if "file" in evidence:
            lines = parse_zengin(evidence["file"], local_date(ctx.clock)).incoming()
        else:
            lines = list(evidence["lines"])
        open_payments: list[OpenPayment] = list(evidence.get("open_payments", ()))
        return match_transfers(lines, open_payments).outcomes()

    async def refund(self, ctx: Context, reference: str, amount: Yen) -> RefundOutcome:
        """A refund is a transfer finance staff make by hand, then mark done."""
        return RefundOutcome(
            reference=f"manual-refund:{reference}", amount=amount, state=PaymentState.PENDING
        )

    async def charge_saved(self, ctx: Context, request: PaymentRequest) -> PaymentStart:
        raise RecurringNotSupported("bank transfer has no saved method: renewal is manual")
