"""Unique and partial indexes, written by hand (both backends have CREATE [UNIQUE] INDEX).

- (job, slot) of a run: two beat processes cannot both record one run of a job;
- (tenant_id, job, subject_id, step) of a mark: every scheduled effect is done once;
- (kind, ref) of a dead letter: a task or event is listed once however often it is seen;
- open invoices by due date: the overdue sweep reads only open invoices past due.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T06:40:13:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique run slot, unique mark, unique dead letter, open invoices by due date"

INDEXES = {
    "schedules_run_job_slot": "CREATE UNIQUE INDEX schedules_run_job_slot "
    "ON schedules_run (job, slot)",
    "schedules_mark_unique": "CREATE UNIQUE INDEX schedules_mark_unique "
    "ON schedules_mark (tenant_id, job, subject_id, step)",
    "schedules_dead_letter_ref": "CREATE UNIQUE INDEX schedules_dead_letter_ref "
    "ON schedules_dead_letter (kind, ref)",
    "schedules_invoice_open_due": "CREATE INDEX schedules_invoice_open_due "
    "ON billing_invoice (due_date, tenant_id) WHERE status = 'open'",
    "schedules_quote_open_valid": "CREATE INDEX schedules_quote_open_valid "
    "ON orders_quote (valid_until, tenant_id) WHERE order_id IS NULL",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="schedules", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()  # the engine bound now, not when this module was imported
        for ddl in INDEXES.values():
            await engine.run_ddl(ddl)

    async def drop_indexes():
        engine = engine_finder()
        for name in INDEXES:
            await engine.run_ddl(f"DROP INDEX {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
