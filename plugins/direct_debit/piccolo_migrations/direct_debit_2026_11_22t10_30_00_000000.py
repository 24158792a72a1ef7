"""One collection per mandate, month and bill, written by hand.

A customer with two monthly plans has two bills in a month: the unique index moves from
(tenant_id, mandate_id, month) to (tenant_id, mandate_id, month, payable_type, payable_id), and
the reference (``dd:{mandate}:{yyyymm}:{payable_type}:{payable_id}``) gets room for the bill.
SQLite does not enforce VARCHAR lengths, so only PostgreSQL's column is widened.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T10:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one collection per mandate, month and bill"

OLD = ("direct_debit_collection_tenant_mandate_month", "tenant_id, mandate_id, month")
NEW = (
    "direct_debit_collection_tenant_mandate_month_bill",
    "tenant_id, mandate_id, month, payable_type, payable_id",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="direct_debit", description=DESCRIPTION)

    async def per_bill():
        engine = engine_finder()  # the engine bound now, not when this module was imported
        await engine.run_ddl(f"DROP INDEX {OLD[0]}")
        await engine.run_ddl(f"CREATE UNIQUE INDEX {NEW[0]} ON direct_debit_collection ({NEW[1]})")
        if engine.engine_type == "postgres":
            await engine.run_ddl(
                "ALTER TABLE direct_debit_collection ALTER COLUMN reference TYPE VARCHAR(80)"
            )

    async def per_month():
        engine = engine_finder()
        await engine.run_ddl(f"DROP INDEX {NEW[0]}")
        await engine.run_ddl(f"CREATE UNIQUE INDEX {OLD[0]} ON direct_debit_collection ({OLD[1]})")

    manager.add_raw(per_bill)
    manager.add_raw_backwards(per_month)
    return manager
