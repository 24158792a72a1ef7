"""Composite unique indexes, written by hand.

Piccolo's ``Unique`` constraint is added with ALTER TABLE ... ADD CONSTRAINT, which SQLite does
not have; a unique index works on both backends and is a valid ON CONFLICT target.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T04:07:49:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique (tenant_id, idempotency_key) and (tenant_id, serial)"

UNIQUE_INDEXES = {
    "private_ca_certificate_tenant_idempotency_key": "tenant_id, idempotency_key",
    "private_ca_certificate_tenant_serial": "tenant_id, serial",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="private_ca", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()  # the engine bound now, not when this module was imported
        for name, columns in UNIQUE_INDEXES.items():
            await engine.run_ddl(
                f"CREATE UNIQUE INDEX {name} ON private_ca_certificate ({columns})"
            )

    async def drop_indexes():
        engine = engine_finder()
        for name in UNIQUE_INDEXES:
            await engine.run_ddl(f"DROP INDEX {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
