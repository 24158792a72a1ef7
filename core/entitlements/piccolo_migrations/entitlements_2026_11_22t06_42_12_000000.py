"""Composite indexes of the entitlements tables, written by hand.

Piccolo's ``Unique`` constraint is added with ALTER TABLE ... ADD CONSTRAINT, which SQLite does
not have; an index works on both backends. (tenant_id, order_line_id, seq) makes storing a line's
fulfilment results idempotent; (tenant_id, order_id) gives an order one fulfilment run; (state,
next_poll_at) serves the poller's list of due pending entitlements.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T06:42:12:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes of the entitlements tables"

INDEXES = {
    "entitlements_entitlement_line_seq": (
        "UNIQUE",
        "entitlements_entitlement",
        "tenant_id, order_line_id, seq",
    ),
    "entitlements_entitlement_state_poll": ("", "entitlements_entitlement", "state, next_poll_at"),
    "entitlements_fulfilment_tenant_order": ("UNIQUE", "entitlements_fulfilment", "tenant_id, order_id"),
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="entitlements", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()  # the engine bound now, not when this module was imported
        for name, (unique, table, columns) in INDEXES.items():
            await engine.run_ddl(f"CREATE {unique} INDEX {name} ON {table} ({columns})")

    async def drop_indexes():
        engine = engine_finder()
        for name in INDEXES:
            await engine.run_ddl(f"DROP INDEX {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
