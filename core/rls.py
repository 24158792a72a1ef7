"""PostgreSQL row-level security: the database enforces tenant isolation underneath the code.

The application connects as a role that does not own the tables; ``shomei migrate`` connects
as the owner (``SHOMEI_MIGRATION_DATABASE_URL``), applies the migrations, then
``apply_row_level_security`` gives every tenant-owned table (any table with a ``tenant_id``
column or a ``tenant`` foreign key, found by looking, so a new table cannot be forgotten) one
policy: a row is visible and writable only when its tenant column equals
``shomei_current_tenant()``. Each connection gets the setting that function reads from the
ambient ``core.context`` when it is opened or taken from the pool.

The setting cannot be forged by the app role. Any role may ``set_config('shomei.tenant_id',
…)``, so the app does not write a bare tenant id there but ``<id>.<tag>``, the tag being
HMAC-SHA256 over the id under a key derived from ``SHOMEI_SECRET_KEY``
(``core.sealing.derive_purpose_key``). ``shomei_current_tenant()`` is a ``SECURITY DEFINER``
function of the tables' owner, with a fixed ``search_path``, that checks the tag against a copy
of that key kept in ``shomei_private.tenant_setting_key`` (a schema the app role has no
privilege on) and returns the id, or NULL when the tag is wrong or missing. An SQL injection
through the app role can set any value it likes, but without the key it can tag no id other
than the one its connection already carries. ``shomei migrate`` writes the key afresh on every
run, so rotating the secret key is one migrate.

No setting lifts the policy (issue 13, defect 6: the app role could ``SET`` the old
``shomei.bypass`` itself, so an SQL injection could have read every tenant). Work that spans
tenants on purpose connects as a separate *system role* (``SHOMEI_SYSTEM_DATABASE_URL``,
``core.pg_engine``), which alone gets a second policy admitting every row; the app role is no
member of it, so it cannot become it.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from core.context import current_tenant, system_scope_reason
from core.errors import ConfigError
from core.sealing import derive_purpose_key

SETTING = "shomei.tenant_id"
KEY_PURPOSE = "rls tenant setting"
PRIVATE_SCHEMA = "shomei_private"
KEY_TABLE = f"{PRIVATE_SCHEMA}.tenant_setting_key"
FUNCTION = "public.shomei_current_tenant"
POLICY = "shomei_tenant_isolation"
SYSTEM_POLICY = "shomei_system_scope"
TENANT_COLUMNS = ("tenant_id", "tenant")
"""A plain ``tenant_id`` integer, or a Piccolo ``tenant`` foreign key to the tenant table."""


def tenant_setting_key(secret_key: str) -> bytes:
    """The HMAC key of the tenant setting, derived from the deployment's secret key."""
    return derive_purpose_key(secret_key, KEY_PURPOSE)


def tenant_setting(tenant_id: int, key: bytes) -> str:
    """The value of ``shomei.tenant_id`` that ``shomei_current_tenant()`` reads as
    ``tenant_id``: ``<id>.<hex HMAC-SHA256 of the id's decimal digits>``."""
    text = str(int(tenant_id))
    return f"{text}.{hmac.new(key, text.encode('ascii'), hashlib.sha256).hexdigest()}"


async def apply_tenant_setting(connection: Any, key: bytes | None) -> None:
    """Copy the ambient tenant onto a connection (asyncpg), tagged with ``key``; none in a
    system scope, and none without a key (then the connection sees no tenant row)."""
    tenant = None if system_scope_reason() else current_tenant()
    value = tenant_setting(tenant.id, key) if tenant is not None and key else ""
    await connection.execute(f"SELECT set_config('{SETTING}', $1, false)", value)


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _rule(column: str) -> str:
    # the scalar subquery is an InitPlan: one call per statement, not per row, and an index on
    # the tenant column still serves the comparison
    return f"{_quote(column)} = (SELECT {FUNCTION}())"


def _hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    """HMAC's inner and outer keys (RFC 2104, SHA-256's 64-byte block): with them the database
    computes HMAC-SHA256 with its built-in ``sha256()``, no extension needed."""
    block = key.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in block), bytes(b ^ 0x5C for b in block)


# It reads only the setting and the owner's key table; every name is qualified and the search
# path fixed, so nothing the calling role creates can stand in for them. The id is cast only
# once its tag matched, and only the app (holding the key) tags ids, so the cast cannot fail
# (a regular expression checking the shape first doubled the cost and added no safety).
# PL/pgSQL, not SQL: its statements' plans are kept for the session, while a non-inlinable
# SQL function (SECURITY DEFINER never inlines) is parsed and planned again in every statement.
_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS integer
LANGUAGE plpgsql STABLE SECURITY DEFINER PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  given text := current_setting('{SETTING}', true);
  id text;
  k record;
BEGIN
  IF given IS NULL OR given = '' THEN
    RETURN NULL;
  END IF;
  SELECT inner_key, outer_key INTO k FROM {KEY_TABLE} WHERE one;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  id := split_part(given, '.', 1);
  IF split_part(given, '.', 2) = encode(
      sha256(k.outer_key || sha256(k.inner_key || convert_to(id, 'UTF8'))), 'hex') THEN
    RETURN id::integer;
  END IF;
  RETURN NULL;
END
$fn$
"""


async def install_tenant_function(connection: Any, key: bytes) -> None:
    """Store ``key`` where only the owner can read it (replacing an older one) and (re)create
    the function that checks the tenant setting against it."""
    inner, outer = _hmac_pads(key)
    await connection.execute(f"CREATE SCHEMA IF NOT EXISTS {PRIVATE_SCHEMA}")
    await connection.execute(f"REVOKE ALL ON SCHEMA {PRIVATE_SCHEMA} FROM PUBLIC")
    await connection.execute(
        f"CREATE TABLE IF NOT EXISTS {KEY_TABLE} (one boolean PRIMARY KEY DEFAULT true"
        " CHECK (one), inner_key bytea NOT NULL, outer_key bytea NOT NULL)"
    )
    await connection.execute(f"REVOKE ALL ON {KEY_TABLE} FROM PUBLIC")
    owners = await connection.fetchrow(
        "SELECT pg_get_userbyid(n.nspowner) AS schema_owner, pg_get_userbyid(c.relowner)"
        " AS table_owner FROM pg_namespace n JOIN pg_class c ON c.relnamespace = n.oid"
        " WHERE n.nspname = $1 AND c.relname = 'tenant_setting_key'",
        PRIVATE_SCHEMA,
    )
    me = await connection.fetchval("SELECT current_user")
    if owners is None or {owners["schema_owner"], owners["table_owner"]} != {me}:
        raise ConfigError(  # someone else made them first: they could read or swap the key
            "SHOMEI_MIGRATION_DATABASE_URL",
            f"{KEY_TABLE} must belong to the migrating role {me!r}; drop it and migrate again",
        )
    await connection.execute(
        f"INSERT INTO {KEY_TABLE} (one, inner_key, outer_key) VALUES (true, $1, $2)"
        " ON CONFLICT (one) DO UPDATE"
        " SET inner_key = EXCLUDED.inner_key, outer_key = EXCLUDED.outer_key",
        inner,
        outer,
    )
    await connection.execute(_FUNCTION_SQL)


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
    connection: Any, app_role: str | None, system_role: str | None = None, *, key: bytes
) -> list[str]:
    """Store the tenant setting's ``key`` and its checking function, enable the policy on
    every tenant-owned table, the all-rows policy for the system role only, and grant both
    roles what they need (nothing on the key). Idempotent: run after every migration, so it
    also replaces the key and the policies of older versions. Returns the protected tables."""
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
        await install_tenant_function(connection, key)
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
