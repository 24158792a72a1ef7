"""The (tenant_id, event_id) unique index, written by hand.

Piccolo's ``Unique`` constraint is added with ALTER TABLE ... ADD CONSTRAINT, which SQLite does
not have; a unique index works on both backends and is a valid ON CONFLICT target.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T04:35:40:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique (tenant_id, event_id)"

INDEX = "card_webhook_event_tenant_event"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="card", description=DESCRIPTION)

    async def create_index():
        engine = engine_finder()  # the engine bound now, not when this module was imported
        await engine.run_ddl(
            f"CREATE UNIQUE INDEX {INDEX} ON card_webhook_event (tenant_id, event_id)"
        )

    async def drop_index():
        await engine_finder().run_ddl(f"DROP INDEX {INDEX}")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
