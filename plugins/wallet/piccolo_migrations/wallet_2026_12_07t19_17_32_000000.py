"""The unique (tenant_id, idempotency_key) index of wallet top-up claims: the ON CONFLICT
target that lets one request per key start the card payment (issue 13, defect 7)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T19:17:32:000000"
VERSION = "1.38.0"
DESCRIPTION = "wallet top-up claims: unique key per tenant"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="wallet", description=DESCRIPTION)

    async def create():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX wallet_topup_tenant_key ON wallet_topup (tenant_id, idempotency_key)"
        )

    async def drop():
        await engine_finder().run_ddl("DROP INDEX wallet_topup_tenant_key")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
