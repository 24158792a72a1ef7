"""The ``wallet`` PaymentAdapter (おさいぽ!-style): authenticate, confirm the amount, debit.

1. ``start`` records a pending wallet payment (idempotent on ``ctx.idempotency_key``) and
   answers REQUIRES_ACTION with the wallet page's address.
2. On that page the customer enters wallet ID and password once (the wallet is then linked, so
   later payments skip this step), sees the amount and presses OK.
3. ``confirm(evidence={"payment_id", "confirmed_amount"[, "wallet_id", "password"]})`` debits
   the wallet and credits the tenant's revenue: SUCCEEDED with the ledger transaction's
   reference; too little money gives FAILED (a reference of its own per attempt), nothing posted.
4. ``charge_saved`` debits the linked wallet (``saved_method_ref`` = wallet ID) on the renewal
   day; ``refund`` posts the reverse transaction.
"""

from __future__ import annotations

from typing import Any, ClassVar

from core.context import Context
from core.contracts.common import ConfigField, PluginAccount, Yen
from core.contracts.payments import (
    PaymentOutcome,
    PaymentRequest,
    PaymentStart,
    PaymentState,
    RefundOutcome,
)
from core.errors import NotFound
from core.renewal import is_valid_renewal_day
from plugins.wallet import ledger
from plugins.wallet.ledger import InsufficientBalance, refuse, scope
from plugins.wallet.tables import WalletPayment

PENDING, SUCCEEDED, CANCELLED = "pending", "succeeded", "cancelled"


def check_renewal_day(day: object) -> int:
    """The wallet's renewal day as the customer chose it, or a field error."""
    if isinstance(day, bool) or not isinstance(day, int) or not is_valid_renewal_day(day):
        raise refuse("renewal_day", "wallet.renewal_day_invalid")
    return day


def payment_reference(payment_id: int) -> str:
    return f"wallet-payment:{payment_id}"


class WalletAdapter:
    code: ClassVar[str] = "wallet"
    supports_recurring: ClassVar[bool] = True
    config_fields: ClassVar[tuple[ConfigField, ...]] = ()

    def __init__(self, account: PluginAccount) -> None:
        self.account = account

    def payment_url(self, payment_id: int) -> str:
        return f"{self.account.public_url.rstrip('/')}/wallet/payments/{payment_id}"

    async def start(self, ctx: Context, request: PaymentRequest) -> PaymentStart:
        if request.amount <= 0:
            raise refuse("amount", "wallet.amount_invalid")
        key = ctx.idempotency_key or f"{request.payable_type}:{request.payable_id}"
        with scope(ctx):
            await WalletPayment.insert(
                WalletPayment(
                    tenant_id=ctx.tenant.id,
                    idempotency_key=key,
                    customer_id=request.customer_id,
                    payable_type=request.payable_type,
                    payable_id=request.payable_id,
                    amount=request.amount,
                    state=PENDING,
                    attempts=0,
                    created_at=ctx.clock.now(),
                )
            ).on_conflict(target=(WalletPayment.tenant_id, WalletPayment.idempotency_key))
            row = await self._payment(ctx, WalletPayment.idempotency_key == key)
        linked = True
        try:
            wallet = await ledger.find_wallet(ctx, customer_id=row["customer_id"])
            linked = wallet.linked
        except NotFound:
            linked = False
        return PaymentStart(
            state=PaymentState.REQUIRES_ACTION,
            reference=payment_reference(row["id"]),
            redirect_url=self.payment_url(row["id"]),
            instructions={"payment_id": row["id"], "amount": row["amount"], "linked": linked},
        )

    async def _payment(self, ctx: Context, where: Any) -> dict[str, Any]:
        row = (
            await WalletPayment.select()
            .where((WalletPayment.tenant_id == ctx.tenant.id) & where)
            .first()
        )
        if row is None:
            raise NotFound("wallet.payment_not_found", "payment")
        return row

    async def confirm(self, ctx: Context, evidence: dict[str, Any]) -> list[PaymentOutcome]:
        """``{"payment_id", "confirmed_amount"}`` plus ``wallet_id`` and ``password`` unless
        the customer's wallet is linked; or ``{"transaction_reference"}`` to read back a
        posted payment (the same outcome again, so applying it twice changes nothing)."""
        if "transaction_reference" in evidence:
            return [await self._outcome_of(ctx, str(evidence["transaction_reference"]))]
        with scope(ctx):
            payment = await self._payment(ctx, WalletPayment.id == int(evidence["payment_id"]))
        if payment["state"] == SUCCEEDED:
            return [
                await self._outcome_of(ctx, ledger.transaction_reference(payment["transaction_id"]))
            ]
        if payment["state"] == CANCELLED:
            raise refuse("payment_id", "wallet.payment_cancelled")
        if evidence.get("confirmed_amount") != payment["amount"]:
            raise refuse("confirmed_amount", "wallet.amount_mismatch", amount=payment["amount"])
        if evidence.get("password"):
            wallet = await ledger.authenticate(
                ctx, str(evidence.get("wallet_id", "")), str(evidence["password"])
            )
            if wallet.customer_id != payment["customer_id"]:
                raise refuse("wallet_id", "wallet.not_customers_wallet")
            if not wallet.linked:
                await ledger.set_linked(ctx, wallet.id, True)
        else:
            try:
                wallet = await ledger.find_wallet(ctx, customer_id=payment["customer_id"])
            except NotFound:
                raise refuse("wallet_id", "wallet.authentication_required") from None
            if not wallet.linked:
                raise refuse("wallet_id", "wallet.authentication_required")

        async def mark_paid(transaction_id: int) -> None:
            await WalletPayment.update(
                {WalletPayment.state: SUCCEEDED, WalletPayment.transaction_id: transaction_id}
            ).where(
                (WalletPayment.tenant_id == ctx.tenant.id)
                & (WalletPayment.id == payment["id"])
                & (WalletPayment.state == PENDING)
            )

        try:
            posted = await ledger.post(
                ctx,
                key=f"pay:{payment['id']}",
                kind="payment",
                wallet_id=wallet.id,
                amount=payment["amount"],
                debit=f"wallet:{wallet.id}",
                credit=ledger.REVENUE,
                source_adapter=self.code,
                payable_type=payment["payable_type"],
                payable_id=payment["payable_id"],
                after=mark_paid,
            )
        except InsufficientBalance:
            with scope(ctx):
                rows = await (
                    WalletPayment.update({WalletPayment.attempts: WalletPayment.attempts + 1})
                    .where(
                        (WalletPayment.tenant_id == ctx.tenant.id)
                        & (WalletPayment.id == payment["id"])
                    )
                    .returning(WalletPayment.attempts)
                )
            return [
                PaymentOutcome(
                    PaymentState.FAILED,
                    f"{payment_reference(payment['id'])}:failed:{rows[0]['attempts']}",
                    payment["payable_type"],
                    payment["payable_id"],
                    payment["amount"],
                )
            ]
        return [
            PaymentOutcome(
                PaymentState.SUCCEEDED,
                posted.reference,
                payment["payable_type"],
                payment["payable_id"],
                posted.amount,
            )
        ]

    async def _outcome_of(self, ctx: Context, reference: str) -> PaymentOutcome:
        transaction_id = ledger.parse_reference(reference)
        if transaction_id is None:
            raise NotFound("wallet.payment_not_found", reference)
        posted = await ledger.transaction(ctx, transaction_id)
        if posted.kind != "payment":
            raise NotFound("wallet.payment_not_found", reference)
        return PaymentOutcome(
            PaymentState.SUCCEEDED, reference, posted.payable_type, posted.payable_id, posted.amount
        )

    async def charge_saved(self, ctx: Context, request: PaymentRequest) -> PaymentStart:
        """Debit the customer's linked wallet (automatic renewal); idempotent on
        ``ctx.idempotency_key`` (``renew:{entitlement}:{term_end}``). Too little money or an
        unlinked wallet gives FAILED: the engine switches the term to manual renewal."""
        if not ctx.idempotency_key:
            raise ValueError("charge_saved needs ctx.idempotency_key")
        failed = PaymentStart(PaymentState.FAILED, f"wallet-charge:{ctx.idempotency_key}:failed")
        try:
            wallet = await ledger.find_wallet(ctx, customer_id=request.customer_id)
        except NotFound:
            return failed
        if not wallet.linked or (
            request.saved_method_ref and request.saved_method_ref != wallet.wallet_code
        ):
            return failed
        try:
            posted = await ledger.post(
                ctx,
                key=f"charge:{ctx.idempotency_key}",
                kind="payment",
                wallet_id=wallet.id,
                amount=request.amount,
                debit=f"wallet:{wallet.id}",
                credit=ledger.REVENUE,
                source_adapter=self.code,
                payable_type=request.payable_type,
                payable_id=request.payable_id,
            )
        except InsufficientBalance:
            return failed
        return PaymentStart(PaymentState.SUCCEEDED, posted.reference)

    async def refund(self, ctx: Context, reference: str, amount: Yen) -> RefundOutcome:
        posted = await ledger.refund_payment(ctx, reference, amount)
        original = await ledger.transaction(ctx, ledger.parse_reference(reference) or 0)
        state = (
            PaymentState.REFUNDED if original.refunded >= original.amount else PaymentState.PARTIAL
        )
        return RefundOutcome(reference=posted.reference, amount=posted.amount, state=state)
