"""One active job per tenant, kind and key, written by hand (Piccolo has no composite unique
index). ``dedupe_key`` is NULL once a job ends, and NULLs never clash, so only queued and
running jobs are held to it: two requests at the same moment find one job."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T14:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one active job per key"

INDEX = "jobs_job_active_key"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="jobs", description=DESCRIPTION)

    async def create_index():
        engine = engine_finder()  # the engine bound now, not when this module was imported
        await engine.run_ddl(f"CREATE UNIQUE INDEX {INDEX} ON jobs_job (tenant_id, kind, dedupe_key)")

    async def drop_index():
        await engine_finder().run_ddl(f"DROP INDEX {INDEX}")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
