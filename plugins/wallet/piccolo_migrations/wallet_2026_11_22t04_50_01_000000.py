"""Unique indexes, the non-negative balance and immutable postings, written by hand.

Piccolo's ``Unique`` constraint is added with ALTER TABLE ... ADD CONSTRAINT, which SQLite does
not have; a unique index works on both backends and is a valid ON CONFLICT target. The balance
check is a CHECK constraint on PostgreSQL and a trigger on SQLite; postings (and transactions,
except their ``refunded`` sum growing up to the amount) refuse UPDATE and DELETE on both.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T04:50:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "wallet unique indexes, balance >= 0, immutable ledger"

UNIQUE_INDEXES = {
    "wallet_wallet_tenant_code": "wallet_wallet (tenant_id, wallet_code)",
    "wallet_wallet_tenant_customer": "wallet_wallet (tenant_id, customer_id)",
    "wallet_ledger_account_tenant_key": "wallet_ledger_account (tenant_id, key)",
    "wallet_ledger_transaction_tenant_key": "wallet_ledger_transaction (tenant_id, key)",
    "wallet_payment_tenant_key": "wallet_payment (tenant_id, idempotency_key)",
}

TRANSACTION_CHANGE = (
    "NEW.amount <> OLD.amount OR NEW.wallet_id <> OLD.wallet_id OR NEW.key <> OLD.key "
    "OR NEW.tenant_id <> OLD.tenant_id OR NEW.refunded < OLD.refunded OR NEW.refunded > NEW.amount"
)

SQLITE = [
    "CREATE TRIGGER wallet_balance_not_negative_insert BEFORE INSERT ON wallet_balance "
    "WHEN NEW.balance < 0 BEGIN SELECT RAISE(ABORT, 'wallet balance would be negative'); END",
    "CREATE TRIGGER wallet_balance_not_negative_update BEFORE UPDATE ON wallet_balance "
    "WHEN NEW.balance < 0 BEGIN SELECT RAISE(ABORT, 'wallet balance would be negative'); END",
    "CREATE TRIGGER wallet_posting_no_update BEFORE UPDATE ON wallet_posting "
    "BEGIN SELECT RAISE(ABORT, 'ledger postings are immutable'); END",
    "CREATE TRIGGER wallet_posting_no_delete BEFORE DELETE ON wallet_posting "
    "BEGIN SELECT RAISE(ABORT, 'ledger postings are immutable'); END",
    "CREATE TRIGGER wallet_transaction_no_delete BEFORE DELETE ON wallet_ledger_transaction "
    "BEGIN SELECT RAISE(ABORT, 'ledger transactions are immutable'); END",
    "CREATE TRIGGER wallet_transaction_no_change BEFORE UPDATE ON wallet_ledger_transaction "
    f"WHEN {TRANSACTION_CHANGE} "
    "BEGIN SELECT RAISE(ABORT, 'ledger transactions are immutable'); END",
]

POSTGRES = [
    "ALTER TABLE wallet_balance ADD CONSTRAINT wallet_balance_not_negative CHECK (balance >= 0)",
    "CREATE FUNCTION wallet_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION 'the wallet ledger is immutable (%)', TG_TABLE_NAME; END $$",
    "CREATE FUNCTION wallet_transaction_guard() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN IF {TRANSACTION_CHANGE} THEN "
    "RAISE EXCEPTION 'ledger transactions are immutable'; END IF; RETURN NEW; END $$",
    "CREATE TRIGGER wallet_posting_immutable BEFORE UPDATE OR DELETE ON wallet_posting "
    "FOR EACH ROW EXECUTE FUNCTION wallet_refuse_change()",
    "CREATE TRIGGER wallet_transaction_no_delete BEFORE DELETE ON wallet_ledger_transaction "
    "FOR EACH ROW EXECUTE FUNCTION wallet_refuse_change()",
    "CREATE TRIGGER wallet_transaction_no_change BEFORE UPDATE ON wallet_ledger_transaction "
    "FOR EACH ROW EXECUTE FUNCTION wallet_transaction_guard()",
]

SQLITE_BACKWARDS = [
    "DROP TRIGGER wallet_balance_not_negative_insert",
    "DROP TRIGGER wallet_balance_not_negative_update",
    "DROP TRIGGER wallet_posting_no_update",
    "DROP TRIGGER wallet_posting_no_delete",
    "DROP TRIGGER wallet_transaction_no_delete",
    "DROP TRIGGER wallet_transaction_no_change",
]

POSTGRES_BACKWARDS = [
    "DROP TRIGGER wallet_posting_immutable ON wallet_posting",
    "DROP TRIGGER wallet_transaction_no_delete ON wallet_ledger_transaction",
    "DROP TRIGGER wallet_transaction_no_change ON wallet_ledger_transaction",
    "DROP FUNCTION wallet_refuse_change()",
    "DROP FUNCTION wallet_transaction_guard()",
    "ALTER TABLE wallet_balance DROP CONSTRAINT wallet_balance_not_negative",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="wallet", description=DESCRIPTION)

    async def create():
        engine = engine_finder()  # the engine bound now, not when this module was imported
        for name, target in UNIQUE_INDEXES.items():
            await engine.run_ddl(f"CREATE UNIQUE INDEX {name} ON {target}")
        for statement in SQLITE if engine.engine_type == "sqlite" else POSTGRES:
            await engine.run_ddl(statement)

    async def drop():
        engine = engine_finder()
        for statement in SQLITE_BACKWARDS if engine.engine_type == "sqlite" else POSTGRES_BACKWARDS:
            await engine.run_ddl(statement)
        for name in UNIQUE_INDEXES:
            await engine.run_ddl(f"DROP INDEX {name}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
