"""The unique index of a product's accepted payment methods, written by hand (SQLite has no
ALTER TABLE ... ADD CONSTRAINT; a unique index works on both backends)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T06:40:48:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique index of catalog_product_payment_method"

NAME = "catalog_product_payment_method_tenant_product"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="catalog", description=DESCRIPTION)

    async def create_index():
        engine = engine_finder()
        await engine.run_ddl(
            f"CREATE UNIQUE INDEX {NAME} ON catalog_product_payment_method (tenant_id, product_id)"
        )

    async def drop_index():
        await engine_finder().run_ddl(f"DROP INDEX {NAME}")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
