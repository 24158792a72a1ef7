"""Start-up work shared by the CLI commands: bind, check, migrate, seed."""

from __future__ import annotations

from urllib.parse import urlsplit

import asyncpg
import pluggy

from core import db
from core.broker import broker_options, check_broker
from core.clock import Clock
from core.errors import ConfigError
from core.plugins import build_plugin_manager, collect_list, piccolo_app_modules
from core.rls import FUNCTION, apply_row_level_security, tenant_setting, tenant_setting_key
from core.settings import Settings, get_settings


def plugin_manager(settings: Settings) -> pluggy.PluginManager:
    return build_plugin_manager(load_entrypoints=settings.load_entrypoint_plugins)


async def preflight(settings: Settings, pm: pluggy.PluginManager) -> None:
    """Bind the database and prove the database and the broker answer, or raise ConfigError."""
    await db.check_database(db.setup_database(settings, piccolo_app_modules(pm)))
    await check_system_role(settings)
    await check_tenant_key(settings)
    check_broker(settings.broker_url, broker_options(settings))


async def _under_rls(settings: Settings) -> bool:
    """Whether the app's role is under row-level security: not the tables' owner, not a
    superuser, no BYPASSRLS."""
    if settings.database_kind != "postgres":
        return False
    app_role = urlsplit(settings.database_url).username
    if app_role == urlsplit(settings.migration_database_url).username:
        return False  # the owner: row-level security is not applied to it (docs/isolation.md)
    connection = await asyncpg.connect(settings.database_url)
    try:
        lifted = await connection.fetchval(
            "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user"
        )
    finally:
        await connection.close()
    return not lifted


async def check_system_role(settings: Settings) -> None:
    """On PostgreSQL, an application role under row-level security sees no row outside a
    tenant: without a system role of its own, the sweeps, operator pages and API-key lookups
    would silently find nothing. Refuse to start instead, both when no system role is set and
    when the one set is the app's role itself (no all-rows policy is made for that role)."""
    system = settings.system_database_url
    app_role = urlsplit(settings.database_url).username
    if system and urlsplit(system).username != app_role:
        return
    if not await _under_rls(settings):
        return
    if system:
        raise ConfigError(
            "SHOMEI_SYSTEM_DATABASE_URL",
            f"names the application role {app_role!r} itself, which row-level security"
            " confines to one tenant; cross-tenant work needs a separate system role",
        )
    raise ConfigError(
        "SHOMEI_SYSTEM_DATABASE_URL",
        f"the application role {app_role!r} is under row-level security; cross-tenant work"
        " (sweeps, operator pages, API-key lookups) needs a separate system role",
    )


async def check_tenant_key(settings: Settings) -> None:
    """Under row-level security the policies believe only a tenant setting tagged with the key
    ``shomei migrate`` stored: a process started with another ``SHOMEI_SECRET_KEY`` would
    silently see no row. Refuse to start instead (nothing to compare before the first migrate)."""
    if not await _under_rls(settings):
        return
    probe = 1
    connection = await asyncpg.connect(settings.database_url)
    try:
        await connection.execute(
            "SELECT set_config('shomei.tenant_id', $1, false)",
            tenant_setting(probe, tenant_setting_key(settings.secret_key)),
        )
        try:
            believed = await connection.fetchval(f"SELECT {FUNCTION}()")
        except asyncpg.UndefinedFunctionError:
            return  # not migrated yet: `shomei migrate` stores the key
    finally:
        await connection.close()
    if believed != probe:
        raise ConfigError(
            "SHOMEI_SECRET_KEY",
            "is not the key the last `shomei migrate` stored for row-level security;"
            " run `shomei migrate` with this key",
        )


async def migrate_database(settings: Settings | None = None) -> list[str]:
    """Apply migrations as the tables' owner; on PostgreSQL then (re)apply row-level security
    and grant the application's role its privileges. Leaves the owner's engine bound: a process
    that goes on serving binds the application's engine itself. Returns the protected tables."""
    settings = settings or get_settings()
    modules = piccolo_app_modules(plugin_manager(settings))
    engine = db.bind_engine(db.make_engine(settings.migration_database_url), modules)
    await db.check_database(engine)
    await db.migrate()
    if not settings.production:
        return []
    app_role = urlsplit(settings.database_url).username
    owner = urlsplit(settings.migration_database_url).username
    system_role = urlsplit(settings.system_database_url).username
    connection = await asyncpg.connect(settings.migration_database_url)
    try:
        return await apply_row_level_security(
            connection,
            app_role if app_role != owner else None,
            system_role if system_role not in (None, app_role, owner) else None,
            key=tenant_setting_key(settings.secret_key),
        )
    finally:
        await connection.close()


async def check_configuration() -> list[str]:
    """Every configuration problem found, each as one plain sentence naming the setting."""
    try:
        settings = get_settings()
    except ConfigError as exc:
        return [str(exc)]
    problems: list[str] = []
    pm = plugin_manager(settings)
    try:
        await db.check_database(db.setup_database(settings, piccolo_app_modules(pm)))
        await check_system_role(settings)
        await check_tenant_key(settings)
    except ConfigError as exc:
        problems.append(str(exc))
    try:
        check_broker(settings.broker_url, broker_options(settings))
    except ConfigError as exc:
        problems.append(str(exc))
    return problems


async def seed_demo(pm: pluggy.PluginManager, clock: Clock) -> list[str]:
    """Run every demo seeder; each does nothing when its data is already there."""
    lines: list[str] = []
    for seeder in collect_list(pm, "register_demo_seeders"):
        lines += await seeder(clock)
    return lines
