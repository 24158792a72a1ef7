"""PostgreSQL row-level security: the database enforces tenant isolation underneath the code.

The application connects as a role that does not own the tables; ``shomei migrate`` connects
as the owner (``SHOMEI_MIGRATION_DATABASE_URL``), applies the migrations, then
``apply_row_level_security`` gives every tenant-owned table (any table with a ``tenant_id``
column or a ``tenant`` foreign key, found by looking, so a new table cannot be forgotten) one
policy: a row is visible and writable only when its tenant column equals the connection's
``shomei.tenant_id`` setting. Each connection gets that setting from the ambient
``core.context`` when it is opened or taken from the pool.

No setting lifts the policy (issue 13, defect 6: the app role could ``SET`` the old
``shomei.bypass`` itself, so an SQL injection could have read every tenant). Work that spans
tenants on purpose connects as a separate *system role* (``SHOMEI_SYSTEM_DATABASE_URL``,
``core.pg_engine``), which alone gets a second policy admitting every row; the app role is no
member of it, so it cannot become it.
"""

from __future__ import annotations

from typing import Any

from core.context import current_tenant, system_scope_reason
from core.errors import ConfigError

POLICY = "shomei_tenant_isolation"
SYSTEM_POLICY = "shomei_system_scope"
TENANT_COLUMNS = ("tenant_id", "tenant")
"""A plain ``tenant_id`` integer, or a Piccolo ``tenant`` foreign key to the tenant table."""


def _rule(column: str) -> str:
    return f"{_quote(column)} = NULLIF(current_setting('shomei.tenant_id', true), '')::integer"


async def apply_tenant_setting(connection: Any) -> None:
    """Copy the ambient tenant onto a connection (asyncpg); none in a system scope."""
    tenant = None if system_scope_reason() else current_tenant()
    await connection.execute(
        "SELECT set_config('shomei.tenant_id', $1, false)", str(tenant.id) if tenant else ""
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


async def apply_row_level_security(
    connection: Any, app_role: str | None, system_role: str | None = None
) -> list[str]:
    """Enable the policy on every tenant-owned table, the all-rows policy for the system role
    only, and grant both roles what they need. Idempotent: run after every migration, so it
    also replaces the policies of older versions. Returns the protected tables."""
    if (
        system_role
        and app_role
        and await connection.fetchval("SELECT pg_has_role($1, $2, 'MEMBER')", app_role, system_role)
    ):
        raise ConfigError(
            "SHOMEI_SYSTEM_DATABASE_URL", "the app's role must not be able to become this role"
        )
    tables = await tenant_owned_tables(connection)
    async with connection.transaction():
        for table, column in tables.items():
            name, rule = _quote(table), _rule(column)
            await connection.execute(f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY")
            await connection.execute(f"DROP POLICY IF EXISTS {POLICY} ON {name}")
            await connection.execute(f"DROP POLICY IF EXISTS {SYSTEM_POLICY} ON {name}")
            await connection.execute(
                f"CREATE POLICY {POLICY} ON {name} USING ({rule}) WITH CHECK ({rule})"
            )
            if system_role:
                await connection.execute(
                    f"CREATE POLICY {SYSTEM_POLICY} ON {name} TO {_quote(system_role)} "
                    "USING (true) WITH CHECK (true)"
                )
        for granted in (app_role, system_role):
            if not granted:
                continue
            role = _quote(granted)
            await connection.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
            await connection.execute(
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"
            )
            await connection.execute(
                f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"
            )
    return sorted(tables)
