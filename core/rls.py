"""PostgreSQL row-level security: the database enforces tenant isolation underneath the code.

The application connects as a role that does not own the tables; ``shomei migrate`` connects
as the owner (``SHOMEI_MIGRATION_DATABASE_URL``), applies the migrations, then
``apply_row_level_security`` gives every tenant-owned table (any table with a ``tenant_id``
column or a ``tenant`` foreign key, found by looking, so a new table cannot be forgotten) one
policy: a row is visible and writable only when its tenant column equals the connection's
``shomei.tenant_id`` setting, or when the connection is in an explicit system scope. Each
connection gets those settings from the ambient ``core.context`` when it is opened or taken
from the pool.
"""

from __future__ import annotations

from typing import Any

from core.context import current_tenant, system_scope_reason

POLICY = "shomei_tenant_isolation"
TENANT_COLUMNS = ("tenant_id", "tenant")
"""A plain ``tenant_id`` integer, or a Piccolo ``tenant`` foreign key to the tenant table."""


def _rule(column: str) -> str:
    return (
        "current_setting('shomei.bypass', true) = 'on' "
        f"OR {_quote(column)} = NULLIF(current_setting('shomei.tenant_id', true), '')::integer"
    )


async def apply_tenant_setting(connection: Any) -> None:
    """Copy the ambient tenant (or system scope) onto a connection (asyncpg)."""
    tenant = current_tenant()
    await connection.execute(
        "SELECT set_config('shomei.tenant_id', $1, false), set_config('shomei.bypass', $2, false)",
        str(tenant.id) if tenant else "",
        "on" if system_scope_reason() else "off",
    )


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


async def tenant_owned_tables(connection: Any, schema: str = "public") -> dict[str, str]:
    """Table name -> its tenant column, for every table that has one."""
    rows = await connection.fetch(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = $1 AND column_name = ANY($2::text[]) ORDER BY table_name",
        schema,
        list(TENANT_COLUMNS),
    )
    return {row["table_name"]: row["column_name"] for row in rows}


async def apply_row_level_security(connection: Any, app_role: str | None) -> list[str]:
    """Enable the policy on every tenant-owned table and grant the app role what it needs.
    Idempotent: run after every migration. Returns the protected tables."""
    tables = await tenant_owned_tables(connection)
    async with connection.transaction():
        for table, column in tables.items():
            name, rule = _quote(table), _rule(column)
            await connection.execute(f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY")
            await connection.execute(f"DROP POLICY IF EXISTS {POLICY} ON {name}")
            await connection.execute(
                f"CREATE POLICY {POLICY} ON {name} USING ({rule}) WITH CHECK ({rule})"
            )
        if app_role:
            role = _quote(app_role)
            await connection.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
            await connection.execute(
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"
            )
            await connection.execute(
                f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"
            )
    return sorted(tables)
