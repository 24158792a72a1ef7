"""Unique (tenant_id, idempotency_key) on orders, written by hand.

Piccolo's ``Unique`` constraint is added with ALTER TABLE ... ADD CONSTRAINT, which SQLite does
not have; a unique index works on both backends and is the ON CONFLICT target of order creation.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T04:21:31:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique (tenant_id, idempotency_key) on orders"

UNIQUE_INDEXES = {
    "orders_order_tenant_idempotency_key": ("orders_order", "tenant_id, idempotency_key"),
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="orders", description=DESCRIPTION)

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
