"""The wallet's tables: wallets, ledger accounts, transactions, postings, balances, payments.

Every table is tenant-owned (``tenant_id``). Composite unique indexes, the ``balance >= 0``
check and the triggers that make postings and transactions immutable are created by hand in
the second migration: Piccolo's ``Unique`` constraint needs ALTER TABLE, which SQLite lacks.
"""

from __future__ import annotations

from piccolo.columns import JSON, Integer, Timestamptz, Varchar
from piccolo.table import Table


class Wallet(Table, tablename="wallet_wallet"):
    """A customer's prepaid wallet: a public wallet ID and an argon2 password hash.

    ``recent_failures`` and ``locked_until`` follow ``tenants.lockout``; ``linked_at`` is set
    when the customer authenticated once for paying, so later payments skip the password.
    """

    tenant_id = Integer(index=True)
    customer_id = Integer()
    wallet_code = Varchar(length=20)
    password_hash = Varchar(length=255)
    recent_failures = JSON(default=[])
    locked_until = Timestamptz(null=True, default=None)
    linked_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()


class LedgerAccount(Table, tablename="wallet_ledger_account"):
    """One account of a tenant's wallet ledger: ``wallet:{wallet id}`` (what the tenant owes
    the customer), ``clearing`` (top-up money received by card or bank transfer) or ``revenue``
    (sales paid from wallets). ``key`` is unique per tenant."""

    tenant_id = Integer(index=True)
    key = Varchar(length=40)
    kind = Varchar(length=16)
    wallet_id = Integer(null=True, default=None)
    created_at = Timestamptz()


class LedgerTransaction(Table, tablename="wallet_ledger_transaction"):
    """One balanced posting group. ``key`` (unique per tenant) makes it idempotent: a top-up's
    ``topup:{adapter}:{reference}``, a payment's ``pay:{payment id}``, a saved charge's
    ``charge:{idempotency key}``, a refund's ``refund:{reference}:{idempotency key}``.
    ``refunded`` is the only column that changes, and only upward, by a conditional update."""

    tenant_id = Integer(index=True)
    key = Varchar(length=255)
    kind = Varchar(length=16)
    wallet_id = Integer()
    amount = Integer()
    refunded = Integer(default=0)
    source_adapter = Varchar(length=40, default="")
    source_reference = Varchar(length=255, default="")
    payable_type = Varchar(length=40, default="")
    payable_id = Integer(default=0)
    reverses_id = Integer(null=True, default=None)
    created_at = Timestamptz()


class Posting(Table, tablename="wallet_posting"):
    """One line of a transaction: ``amount`` > 0 is a debit, < 0 a credit; a transaction's
    postings sum to zero. Never updated, never deleted (triggers refuse both)."""

    tenant_id = Integer(index=True)
    transaction_id = Integer(index=True)
    account_id = Integer(index=True)
    amount = Integer()
    created_at = Timestamptz()


class WalletBalance(Table, tablename="wallet_balance"):
    """The wallet's balance, derived from its postings and kept here in the same transaction
    for speed and as the lock: debits are ``UPDATE ... WHERE balance >= amount``; the database
    refuses a negative balance as its last word."""

    tenant_id = Integer(index=True)
    wallet_id = Integer(unique=True)
    balance = Integer(default=0)
    updated_at = Timestamptz()


class WalletPayment(Table, tablename="wallet_payment"):
    """A payment started with the wallet: the amount the customer must confirm. ``state`` is
    ``pending``, ``succeeded`` (``transaction_id`` set) or ``cancelled``; ``attempts`` counts
    refused confirmations so each failure gets its own outcome reference."""

    tenant_id = Integer(index=True)
    idempotency_key = Varchar(length=255)
    customer_id = Integer()
    payable_type = Varchar(length=40)
    payable_id = Integer()
    amount = Integer()
    state = Varchar(length=16, default="pending")
    attempts = Integer(default=0)
    transaction_id = Integer(null=True, default=None)
    created_at = Timestamptz()


class WalletTopup(Table, tablename="wallet_topup"):
    """A card top-up claimed under its ``Idempotency-Key`` (unique per tenant) *before* the card
    processor is called, so one key starts one PaymentIntent however many requests race, even
    if the processor ignored idempotency keys. ``payment_intent`` is empty while the first
    request is still starting it."""

    tenant_id = Integer(index=True)
    idempotency_key = Varchar(length=255)
    wallet_id = Integer()
    amount = Integer()
    payment_intent = Varchar(length=255, default="")
    created_at = Timestamptz()
