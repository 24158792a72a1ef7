"""Composite unique indexes, written by hand.

Piccolo's ``Unique`` constraint is added with ALTER TABLE ... ADD CONSTRAINT, which SQLite does
not have; a unique index works on both backends. (tenant_id, adapter, reference) makes applying an
outcome twice impossible; the expectation, bank-file and bank-line indexes make issuing
instructions and importing a file or a line idempotent.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T05:02:24:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique indexes of the payments tables"

UNIQUE_INDEXES = {
    "payments_outcome_tenant_adapter_reference": (
        "payments_outcome",
        "tenant_id, adapter, reference",
    ),
    "payments_expectation_tenant_order": ("payments_expectation", "tenant_id, order_id"),
    "payments_expectation_tenant_reference": (
        "payments_expectation",
        "tenant_id, payer_reference",
    ),
    "payments_bank_file_tenant_fingerprint": ("payments_bank_file", "tenant_id, fingerprint"),
    "payments_bank_line_tenant_fingerprint": ("payments_bank_line", "tenant_id, fingerprint"),
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="payments", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()  # the engine bound now, not when this module was imported
        for name, (table, columns) in UNIQUE_INDEXES.items():
            await engine.run_ddl(f"CREATE UNIQUE INDEX {name} ON {table} ({columns})")

    async def drop_indexes():
        engine = engine_finder()
        for name in UNIQUE_INDEXES:
            await engine.run_ddl(f"DROP INDEX {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
