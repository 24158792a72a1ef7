"""A wallet's history (ご利用履歴): its ledger transactions, newest first, as the customer sees
them: ``amount`` positive when money came in (top-up, refund), negative when it was spent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.context import Context
from core.context import context_scope as scope
from plugins.wallet.tables import LedgerTransaction

INCOMING = ("topup", "refund")


@dataclass(frozen=True)
class HistoryEntry:
    transaction_id: int
    kind: str
    """topup | payment | refund"""
    amount: int
    source_adapter: str
    payable_type: str
    payable_id: int
    created_at: datetime


async def wallet_history(ctx: Context, wallet_id: int, limit: int = 50) -> list[HistoryEntry]:
    with scope(ctx):
        rows = await (
            LedgerTransaction.select()
            .where(
                (LedgerTransaction.tenant_id == ctx.tenant.id)
                & (LedgerTransaction.wallet_id == wallet_id)
            )
            .order_by(LedgerTransaction.id, ascending=False)
            .limit(limit)
        )
    return [
        HistoryEntry(
            transaction_id=row["id"],
            kind=row["kind"],
            amount=row["amount"] if row["kind"] in INCOMING else -row["amount"],
            source_adapter=row["source_adapter"],
            payable_type=row["payable_type"],
            payable_id=row["payable_id"],
            created_at=row["created_at"],
        )
        for row in rows
    ]
