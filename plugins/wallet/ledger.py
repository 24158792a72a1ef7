"""The wallet ledger: wallets, password checks with lockout, and balanced postings.

Accounts per tenant: one ``wallet:{id}`` account per wallet (what the tenant owes the
customer; a credit balance), ``clearing`` (top-up money received through card or bank
transfer) and ``revenue`` (sales paid from wallets). A posting's ``amount`` is positive for a
debit and negative for a credit; each transaction's postings sum to zero:

======== ======================== ========================
 kind     debit                    credit
======== ======================== ========================
 topup    clearing                 wallet
 payment  wallet                   revenue
 refund   revenue                  wallet
======== ======================== ========================

The wallet's balance is ``-(sum of its account's postings)``; ``wallet_balance`` keeps it in the
same transaction. A debit is one conditional ``UPDATE wallet_balance SET balance = balance - a
WHERE balance >= a RETURNING balance`` inside the transaction that writes the postings: no row
back means too little money, and the transaction (with its postings) is rolled back. The
database's ``balance >= 0`` check is the last word. Every query filters on ``ctx.tenant.id``.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from piccolo.engine.sqlite import TransactionType

from core.clock import JST
from core.context import Context
from core.context import context_scope as scope
from core.errors import FieldError, NotFound, ShomeiError, ValidationFailed
from plugins.wallet.tables import (
    LedgerAccount,
    LedgerTransaction,
    Posting,
    Wallet,
    WalletBalance,
)
from tenants import attempts
from tenants.passwords import hash_password, needs_rehash, verify_password

CLEARING = "clearing"
REVENUE = "revenue"
TOPUP_PAYABLE = "wallet_topup"
TOPUP_SOURCES = ("card", "bank_transfer")
MIN_PASSWORD_LENGTH = 8
WALLET_CODE_DIGITS = 10
REFERENCE_PREFIX = "wallet-txn:"

_DUMMY_HASH = hash_password("not a real wallet password, only spends the same time")


class InsufficientBalance(ShomeiError):
    """The wallet holds less than the debit; nothing was posted."""

    def __init__(self, wallet_id: int, amount: int) -> None:
        self.wallet_id = wallet_id
        self.amount = amount
        super().__init__(f"wallet {wallet_id} cannot pay {amount}")


class LedgerKeyReused(ShomeiError):
    """The same idempotency key came back with different figures: a programming error."""


def refuse(field: str, message_id: str, **params: object) -> ValidationFailed:
    return ValidationFailed([FieldError(field, message_id, dict(params))])


@contextlib.asynccontextmanager
async def write_transaction() -> AsyncIterator[None]:
    """One transaction; on SQLite it takes the write lock at once (BEGIN IMMEDIATE), so
    concurrent writers wait for each other instead of failing to upgrade a read lock."""
    engine = Wallet._meta.db
    if engine.engine_type == "sqlite":
        async with engine.transaction(transaction_type=TransactionType.immediate):
            yield
    else:
        async with engine.transaction():
            yield


@dataclass(frozen=True)
class WalletView:
    id: int
    wallet_code: str
    customer_id: int
    linked: bool


@dataclass(frozen=True)
class Posted:
    """A ledger transaction as the callers see it: ``created`` is False when the key had
    already been posted (the earlier transaction is returned, nothing new was written)."""

    transaction_id: int
    kind: str
    wallet_id: int
    amount: int
    refunded: int
    created: bool
    balance: int | None = None
    payable_type: str = ""
    payable_id: int = 0

    @property
    def reference(self) -> str:
        return transaction_reference(self.transaction_id)


def transaction_reference(transaction_id: int) -> str:
    return f"{REFERENCE_PREFIX}{transaction_id}"


def parse_reference(reference: str) -> int | None:
    if not reference.startswith(REFERENCE_PREFIX):
        return None
    number = reference[len(REFERENCE_PREFIX) :]
    return int(number) if number.isdigit() else None


def _view(row: dict[str, Any]) -> WalletView:
    return WalletView(
        row["id"], row["wallet_code"], row["customer_id"], row["linked_at"] is not None
    )


def _local(at: datetime) -> str:
    return at.astimezone(JST).strftime("%Y-%m-%d %H:%M")


# -- wallets --------------------------------------------------------------------------------


async def open_wallet(ctx: Context, customer_id: int, password: str) -> WalletView:
    """A new wallet for the customer, with a fresh 10-digit wallet ID and a zero balance.
    One wallet per customer: a second call refuses."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise refuse("password", "wallet.password_too_short", minimum=MIN_PASSWORD_LENGTH)
    with scope(ctx):
        tenant_id, now = ctx.tenant.id, ctx.clock.now()
        exists = await Wallet.exists().where(
            (Wallet.tenant_id == tenant_id) & (Wallet.customer_id == customer_id)
        )
        if exists:
            raise refuse("customer_id", "wallet.already_open")
        password_hash = hash_password(password)
        async with write_transaction():
            await _ensure_account(tenant_id, CLEARING, None, now)
            await _ensure_account(tenant_id, REVENUE, None, now)
            while True:
                code = f"{secrets.randbelow(10**WALLET_CODE_DIGITS):0{WALLET_CODE_DIGITS}d}"
                rows = await (
                    Wallet.insert(
                        Wallet(
                            tenant_id=tenant_id,
                            customer_id=customer_id,
                            wallet_code=code,
                            password_hash=password_hash,
                            recent_failures=[],
                            created_at=now,
                        )
                    )
                    .on_conflict(target=(Wallet.tenant_id, Wallet.wallet_code))
                    .returning(Wallet.id)
                )
                if rows:
                    break
            wallet_id = rows[0]["id"]
            await _ensure_account(tenant_id, f"wallet:{wallet_id}", wallet_id, now)
            await WalletBalance.insert(
                WalletBalance(tenant_id=tenant_id, wallet_id=wallet_id, balance=0, updated_at=now)
            )
    return WalletView(wallet_id, code, customer_id, False)


async def _ensure_account(tenant_id: int, key: str, wallet_id: int | None, now: datetime) -> None:
    kind = "wallet" if wallet_id is not None else key
    await LedgerAccount.insert(
        LedgerAccount(tenant_id=tenant_id, key=key, kind=kind, wallet_id=wallet_id, created_at=now)
    ).on_conflict(target=(LedgerAccount.tenant_id, LedgerAccount.key))


async def _account_ids(tenant_id: int, *keys: str) -> dict[str, int]:
    rows = await LedgerAccount.select(LedgerAccount.id, LedgerAccount.key).where(
        (LedgerAccount.tenant_id == tenant_id) & LedgerAccount.key.is_in(list(keys))
    )
    found = {row["key"]: row["id"] for row in rows}
    if len(found) != len(keys):
        raise NotFound("wallet.not_found", [k for k in keys if k not in found])
    return found


async def find_wallet(
    ctx: Context,
    *,
    wallet_code: str | None = None,
    wallet_id: int | None = None,
    customer_id: int | None = None,
) -> WalletView:
    """The tenant's wallet by wallet ID, id or customer; another tenant's is ``NotFound``."""
    where = Wallet.tenant_id == ctx.tenant.id
    if wallet_code is not None:
        where &= Wallet.wallet_code == wallet_code
    if wallet_id is not None:
        where &= Wallet.id == wallet_id
    if customer_id is not None:
        where &= Wallet.customer_id == customer_id
    with scope(ctx):
        row = (
            await Wallet.select(Wallet.id, Wallet.wallet_code, Wallet.customer_id, Wallet.linked_at)
            .where(where)
            .first()
        )
    if row is None:
        raise NotFound("wallet.not_found", wallet_code or wallet_id or customer_id)
    return _view(row)


async def balance(ctx: Context, wallet_id: int) -> int:
    """The wallet's balance (its cached row; ``derived_balance`` recomputes it)."""
    with scope(ctx):
        row = (
            await WalletBalance.select(WalletBalance.balance)
            .where(
                (WalletBalance.tenant_id == ctx.tenant.id) & (WalletBalance.wallet_id == wallet_id)
            )
            .first()
        )
    if row is None:
        raise NotFound("wallet.not_found", wallet_id)
    return int(row["balance"])


async def derived_balance(ctx: Context, wallet_id: int) -> int:
    """The balance from the postings alone: minus the sum of the wallet account's postings."""
    with scope(ctx):
        ids = await _account_ids(ctx.tenant.id, f"wallet:{wallet_id}")
        rows = await Posting.select(Posting.amount).where(
            (Posting.tenant_id == ctx.tenant.id)
            & (Posting.account_id == ids[f"wallet:{wallet_id}"])
        )
    return -sum(int(row["amount"]) for row in rows)


async def authenticate(ctx: Context, wallet_code: str, password: str) -> WalletView:
    """Wallet ID and password, with ``tenants.lockout``'s policy (5 failures in 15 minutes
    lock for 15 minutes, by ``ctx.clock``). A refusal never says whether the wallet exists.
    Each attempt is counted before the password is checked (``tenants.attempts``), so at most
    five are ever checked before the lock, however many arrive at once."""
    now = ctx.clock.now()
    with scope(ctx):
        row = (
            await Wallet.objects()
            .where(
                (Wallet.tenant_id == ctx.tenant.id) & (Wallet.wallet_code == wallet_code.strip())
            )
            .first()
        )
        if row is None:
            verify_password(_DUMMY_HASH, password)
            raise refuse("wallet_id", "wallet.login_failed")
        where = (Wallet.tenant_id == ctx.tenant.id) & (Wallet.id == row.id)
        attempt = await attempts.reserve(Wallet, where, now)
        if attempt is None:
            raise refuse("wallet_id", "wallet.login_failed")
        if attempt.refused_until is not None:
            raise refuse("wallet_id", "wallet.locked", until=_local(attempt.refused_until))
        if not verify_password(row.password_hash, password):
            if attempt.locks_until is not None:
                raise refuse("wallet_id", "wallet.locked", until=_local(attempt.locks_until))
            raise refuse("wallet_id", "wallet.login_failed")
        rehash: dict[Any, Any] = {}
        if needs_rehash(row.password_hash):
            rehash[Wallet.password_hash] = hash_password(password)
        await attempts.clear(Wallet, where, rehash)
    return WalletView(row.id, row.wallet_code, row.customer_id, row.linked_at is not None)


async def set_linked(ctx: Context, wallet_id: int, linked: bool) -> None:
    """Link the wallet after a successful authentication (later payments skip the password)
    or unlink it (a payment-method reset): the next payment asks for the password again."""
    with scope(ctx):
        await Wallet.update({Wallet.linked_at: ctx.clock.now() if linked else None}).where(
            (Wallet.tenant_id == ctx.tenant.id) & (Wallet.id == wallet_id)
        )


# -- postings -------------------------------------------------------------------------------


async def _existing(tenant_id: int, key: str) -> dict[str, Any] | None:
    return (
        await LedgerTransaction.select()
        .where((LedgerTransaction.tenant_id == tenant_id) & (LedgerTransaction.key == key))
        .first()
    )


def _posted(row: dict[str, Any], created: bool, balance: int | None = None) -> Posted:
    return Posted(
        row["id"],
        row["kind"],
        row["wallet_id"],
        row["amount"],
        row["refunded"],
        created,
        balance,
        row["payable_type"],
        row["payable_id"],
    )


async def post(
    ctx: Context,
    *,
    key: str,
    kind: str,
    wallet_id: int,
    amount: int,
    debit: str,
    credit: str,
    source_adapter: str = "",
    source_reference: str = "",
    payable_type: str = "",
    payable_id: int = 0,
    reverses_id: int | None = None,
    before: Callable[[], Awaitable[None]] | None = None,
    after: Callable[[int], Awaitable[None]] | None = None,
) -> Posted:
    """Post ``amount`` from ``credit`` to ``debit`` once per ``key``, moving the wallet's
    balance row in the same transaction (down when the wallet account is debited: refused
    with ``InsufficientBalance`` if it would go negative; up when it is credited).

    ``before`` runs first inside the transaction (e.g. a conditional update that may refuse);
    ``after(transaction_id)`` runs last inside it (e.g. marking a payment paid)."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValueError("a posting amount is a positive integer of yen")
    wallet_key = f"wallet:{wallet_id}"
    if wallet_key not in (debit, credit):
        raise ValueError("every wallet transaction moves the wallet's own account")
    tenant_id, now = ctx.tenant.id, ctx.clock.now()
    with scope(ctx):
        async with write_transaction():
            inserted = await (
                LedgerTransaction.insert(
                    LedgerTransaction(
                        tenant_id=tenant_id,
                        key=key,
                        kind=kind,
                        wallet_id=wallet_id,
                        amount=amount,
                        refunded=0,
                        source_adapter=source_adapter,
                        source_reference=source_reference,
                        payable_type=payable_type,
                        payable_id=payable_id,
                        reverses_id=reverses_id,
                        created_at=now,
                    )
                )
                .on_conflict(target=(LedgerTransaction.tenant_id, LedgerTransaction.key))
                .returning(LedgerTransaction.id)
            )
            if not inserted:
                row = await _existing(tenant_id, key)
                assert row is not None  # the conflict was on this key, in this tenant
                if (row["kind"], row["wallet_id"], row["amount"]) != (kind, wallet_id, amount):
                    raise LedgerKeyReused(f"{key!r} was posted with other figures")
                return _posted(row, created=False)
            transaction_id = inserted[0]["id"]
            if before is not None:
                await before()
            accounts = await _account_ids(tenant_id, debit, credit)
            change = (
                WalletBalance.balance - amount
                if debit == wallet_key
                else WalletBalance.balance + amount
            )
            where = (WalletBalance.tenant_id == tenant_id) & (WalletBalance.wallet_id == wallet_id)
            if debit == wallet_key:
                where &= WalletBalance.balance >= amount
            moved = await (
                WalletBalance.update({WalletBalance.balance: change, WalletBalance.updated_at: now})
                .where(where)
                .returning(WalletBalance.balance)
            )
            if not moved:
                raise InsufficientBalance(wallet_id, amount)
            await Posting.insert(
                Posting(
                    tenant_id=tenant_id,
                    transaction_id=transaction_id,
                    account_id=accounts[debit],
                    amount=amount,
                    created_at=now,
                ),
                Posting(
                    tenant_id=tenant_id,
                    transaction_id=transaction_id,
                    account_id=accounts[credit],
                    amount=-amount,
                    created_at=now,
                ),
            )
            if after is not None:
                await after(transaction_id)
    return Posted(
        transaction_id,
        kind,
        wallet_id,
        amount,
        0,
        True,
        int(moved[0]["balance"]),
        payable_type,
        payable_id,
    )


async def top_up(ctx: Context, source_adapter: str, outcome: Any) -> Posted:
    """Credit a wallet with a top-up paid through another adapter (card or bank transfer).

    ``outcome`` is that adapter's ``PaymentOutcome`` for the payable ``wallet_topup`` whose id
    is the wallet's id. Posting is idempotent on ``(source_adapter, outcome.reference)``: the
    same outcome applied twice credits once."""
    from core.contracts.payments import PaymentState

    if source_adapter not in TOPUP_SOURCES:
        raise refuse("source_adapter", "wallet.topup_source_invalid", adapter=source_adapter)
    if outcome.payable_type != TOPUP_PAYABLE:
        raise refuse("payable_type", "wallet.topup_not_a_topup")
    if outcome.state not in (PaymentState.SUCCEEDED, PaymentState.PARTIAL):
        raise refuse("state", "wallet.topup_not_paid", state=str(outcome.state))
    wallet = await find_wallet(ctx, wallet_id=outcome.payable_id)
    return await post(
        ctx,
        key=f"topup:{source_adapter}:{outcome.reference}",
        kind="topup",
        wallet_id=wallet.id,
        amount=int(outcome.amount),
        debit=CLEARING,
        credit=f"wallet:{wallet.id}",
        source_adapter=source_adapter,
        source_reference=outcome.reference,
        payable_type=TOPUP_PAYABLE,
        payable_id=wallet.id,
    )


async def refund_payment(ctx: Context, reference: str, amount: int) -> Posted:
    """Return ``amount`` of a wallet payment to the wallet (debit revenue, credit wallet).
    Idempotent on ``ctx.idempotency_key``; the refunds of one payment never exceed it, even
    when they run at once (a conditional update of the payment's ``refunded`` sum)."""
    if not ctx.idempotency_key:
        raise ValueError("a refund needs ctx.idempotency_key")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise refuse("amount", "wallet.amount_invalid")
    transaction_id = parse_reference(reference)
    with scope(ctx):
        original = None
        if transaction_id is not None:
            original = (
                await LedgerTransaction.select()
                .where(
                    (LedgerTransaction.tenant_id == ctx.tenant.id)
                    & (LedgerTransaction.id == transaction_id)
                )
                .first()
            )
        if original is None or original["kind"] != "payment":
            raise NotFound("wallet.payment_not_found", reference)

        async def claim() -> None:
            rows = await (
                LedgerTransaction.update(
                    {LedgerTransaction.refunded: LedgerTransaction.refunded + amount}
                )
                .where(
                    (LedgerTransaction.tenant_id == ctx.tenant.id)
                    & (LedgerTransaction.id == transaction_id)
                    & (LedgerTransaction.refunded <= original["amount"] - amount)
                )
                .returning(LedgerTransaction.refunded)
            )
            if not rows:
                raise refuse("amount", "wallet.refund_exceeds_payment")

        return await post(
            ctx,
            key=f"refund:{transaction_id}:{ctx.idempotency_key}",
            kind="refund",
            wallet_id=original["wallet_id"],
            amount=amount,
            debit=REVENUE,
            credit=f"wallet:{original['wallet_id']}",
            payable_type=original["payable_type"],
            payable_id=original["payable_id"],
            reverses_id=transaction_id,
            before=claim,
        )


async def transaction(ctx: Context, transaction_id: int) -> Posted:
    with scope(ctx):
        row = (
            await LedgerTransaction.select()
            .where(
                (LedgerTransaction.tenant_id == ctx.tenant.id)
                & (LedgerTransaction.id == transaction_id)
            )
            .first()
        )
    if row is None:
        raise NotFound("wallet.payment_not_found", transaction_id)
    return _posted(row, created=False)


async def ledger_problems(ctx: Context) -> list[str]:
    """Every way the tenant's ledger is wrong; empty when it is right. Checks: each transaction
    has postings summing to zero and its amount; each balance row equals its postings and is
    not negative; no refund total exceeds its payment."""
    problems: list[str] = []
    tenant_id = ctx.tenant.id
    with scope(ctx):
        transactions = await LedgerTransaction.select().where(
            LedgerTransaction.tenant_id == tenant_id
        )
        postings = await Posting.select(
            Posting.transaction_id, Posting.account_id, Posting.amount
        ).where(Posting.tenant_id == tenant_id)
        accounts = await LedgerAccount.select(LedgerAccount.id, LedgerAccount.wallet_id).where(
            LedgerAccount.tenant_id == tenant_id
        )
        balances = await WalletBalance.select(WalletBalance.wallet_id, WalletBalance.balance).where(
            WalletBalance.tenant_id == tenant_id
        )
    by_transaction: dict[int, list[int]] = {}
    by_account: dict[int, int] = {}
    for row in postings:
        by_transaction.setdefault(row["transaction_id"], []).append(row["amount"])
        by_account[row["account_id"]] = by_account.get(row["account_id"], 0) + row["amount"]
    for row in transactions:
        amounts = by_transaction.pop(row["id"], [])
        if sum(amounts) != 0:
            problems.append(f"transaction {row['id']} postings sum to {sum(amounts)}")
        if sum(a for a in amounts if a > 0) != row["amount"]:
            problems.append(f"transaction {row['id']} debits differ from its amount")
        if not 0 <= row["refunded"] <= row["amount"]:
            problems.append(f"transaction {row['id']} refunded {row['refunded']}")
    problems += [f"postings of unknown transaction {t}" for t in by_transaction]
    account_of_wallet = {a["wallet_id"]: a["id"] for a in accounts if a["wallet_id"] is not None}
    for row in balances:
        derived = -by_account.get(account_of_wallet.get(row["wallet_id"], -1), 0)
        if row["balance"] != derived or row["balance"] < 0:
            problems.append(f"wallet {row['wallet_id']} balance {row['balance']} != {derived}")
    return problems
