"""Composite unique indexes and the audit log's append-only trigger, written by hand.

Piccolo's ``Unique`` constraint is added with ALTER TABLE ... ADD CONSTRAINT, which SQLite does
not have; a unique index works on both backends. The trigger that refuses UPDATE, DELETE and
TRUNCATE on ``audit_entry`` is PostgreSQL only: on SQLite, append-only is the service's rule
(``tenants.audit`` has no update or delete function).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T04:23:03:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique indexes per tenant; audit_entry append-only on PostgreSQL"

INDEXES = {
    "staff_user_tenant_email": ("staff_user", "tenant_id, email", True),
    "customer_user_tenant_email": ("customer_user", "tenant_id, email", True),
    "customer_contact_customer_role": ("customer_contact", "customer, role", True),
    "provider_account_tenant_plugin": ("provider_account", "tenant_id, kind, plugin_code", True),
    "audit_entry_tenant_newest": ("audit_entry", "tenant_id, occurred_at, id", False),
}

TRIGGER_FUNCTION = """
CREATE OR REPLACE FUNCTION tenants_audit_entry_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_entry is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$
"""
TRIGGERS = (
    "CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry"
    " FOR EACH ROW EXECUTE FUNCTION tenants_audit_entry_append_only()",
    "CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry"
    " FOR EACH STATEMENT EXECUTE FUNCTION tenants_audit_entry_append_only()",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tenants", description=DESCRIPTION)

    async def create():
        engine = engine_finder()  # the engine bound now, not when this module was imported
        for name, (table, columns, unique) in INDEXES.items():
            kind = "UNIQUE INDEX" if unique else "INDEX"
            await engine.run_ddl(f"CREATE {kind} {name} ON {table} ({columns})")
        if engine.engine_type == "postgres":
            await engine.run_ddl(TRIGGER_FUNCTION)
            for statement in TRIGGERS:
                await engine.run_ddl(statement)

    async def drop():
        engine = engine_finder()
        if engine.engine_type == "postgres":
            await engine.run_ddl("DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_entry")
            await engine.run_ddl("DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_entry")
            await engine.run_ddl("DROP FUNCTION IF EXISTS tenants_audit_entry_append_only()")
        for name in INDEXES:
            await engine.run_ddl(f"DROP INDEX {name}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
