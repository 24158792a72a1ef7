"""Unique indexes of the payable expectations and customer payment settings, written by hand.

SQLite has no ALTER TABLE ... ADD CONSTRAINT; a unique index works on both backends. A payer
reference names one open expectation of a tenant (a partial index: settled rows keep theirs);
a customer has one payment setting.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T06:40:47:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique indexes of payable expectations and customer payment settings"

UNIQUE_INDEXES = {
    "payments_payable_expectation_open_reference": (
        "payments_payable_expectation",
        "tenant_id, payer_reference",
        " WHERE state = 'open'",
    ),
    "payments_customer_setting_tenant_customer": (
        "payments_customer_setting",
        "tenant_id, customer_id",
        "",
    ),
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="payments", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()  # the engine bound now, not when this module was imported
        for name, (table, columns, where) in UNIQUE_INDEXES.items():
            await engine.run_ddl(f"CREATE UNIQUE INDEX {name} ON {table} ({columns}){where}")

    async def drop_indexes():
        engine = engine_finder()
        for name in UNIQUE_INDEXES:
            await engine.run_ddl(f"DROP INDEX {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
