"""Composite unique indexes, written by hand.

Piccolo's ``Unique`` constraint is added with ALTER TABLE ... ADD CONSTRAINT, which SQLite does
not have; a unique index works on both backends. (tenant_id, seq) and (tenant_id, number) make a
duplicate invoice number impossible even if the counter were bypassed; (tenant_id,
idempotency_key) makes a retried creation find the invoice it already made.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T04:22:05:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique (tenant_id, seq), (tenant_id, number) and (tenant_id, idempotency_key)"

UNIQUE_INDEXES = {
    "billing_invoice_tenant_seq": "tenant_id, seq",
    "billing_invoice_tenant_number": "tenant_id, number",
    "billing_invoice_tenant_idempotency_key": "tenant_id, idempotency_key",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="billing", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()  # the engine bound now, not when this module was imported
        for name, columns in UNIQUE_INDEXES.items():
            await engine.run_ddl(f"CREATE UNIQUE INDEX {name} ON billing_invoice ({columns})")

    async def drop_indexes():
        engine = engine_finder()
        for name in UNIQUE_INDEXES:
            await engine.run_ddl(f"DROP INDEX {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
