"""Composite unique indexes, written by hand.

Piccolo's ``Unique`` constraint is added with ALTER TABLE ... ADD CONSTRAINT, which SQLite does
not have; a unique index works on both backends and is a valid ON CONFLICT target.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T04:50:03:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique (tenant_id, reference) and (tenant_id, mandate_id, month)"

UNIQUE_INDEXES = {
    "direct_debit_collection_tenant_reference": "tenant_id, reference",
    "direct_debit_collection_tenant_mandate_month": "tenant_id, mandate_id, month",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="direct_debit", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()  # the engine bound now, not when this module was imported
        for name, columns in UNIQUE_INDEXES.items():
            await engine.run_ddl(
                f"CREATE UNIQUE INDEX {name} ON direct_debit_collection ({columns})"
            )

    async def drop_indexes():
        engine = engine_finder()
        for name in UNIQUE_INDEXES:
            await engine.run_ddl(f"DROP INDEX {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
