"""Composite unique indexes, written by hand.

Piccolo's ``Unique`` constraint is added with ALTER TABLE ... ADD CONSTRAINT, which SQLite does
not have; a unique index works on both backends. (tenant_id, idempotency_key, recipient) makes a
redelivered outbox event find the mail it already sent; (tenant_id, endpoint_id,
idempotency_key) makes one webhook delivery per event and endpoint.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T04:45:09:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique mail per (event, recipient) and webhook delivery per (event, endpoint)"

UNIQUE_INDEXES = {
    "mail_message_tenant_key_recipient": ("mail_message", "tenant_id, idempotency_key, recipient"),
    "webhook_delivery_tenant_endpoint_key": (
        "webhook_delivery",
        "tenant_id, endpoint_id, idempotency_key",
    ),
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="messaging", description=DESCRIPTION)

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
