"""Composite unique indexes of the catalog, written by hand.

Piccolo's ``Unique`` constraint is added with ALTER TABLE ... ADD CONSTRAINT, which SQLite does
not have; a unique index works on both backends and is a valid ON CONFLICT target.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T04:21:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique product codes, contracts and retail prices per tenant"

UNIQUE_INDEXES = {
    "catalog_product_tenant_account_code": (
        "catalog_product",
        "tenant_id, provider_account_id, code",
    ),
    "catalog_wholesale_contract_tenant_account": (
        "catalog_wholesale_contract",
        "tenant_id, provider_account_id",
    ),
    "catalog_retail_price_tenant_product_term": (
        "catalog_retail_price",
        "tenant_id, product_id, term_months",
    ),
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="catalog", description=DESCRIPTION)

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
