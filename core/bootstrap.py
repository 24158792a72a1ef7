"""Start-up work shared by the CLI commands: bind, check, migrate, seed."""

from __future__ import annotations

import pluggy

from core import db
from core.broker import broker_options, check_broker
from core.clock import Clock
from core.errors import ConfigError
from core.plugins import build_plugin_manager, collect_list, piccolo_app_modules
from core.settings import Settings, get_settings


def plugin_manager(settings: Settings) -> pluggy.PluginManager:
    return build_plugin_manager(load_entrypoints=settings.load_entrypoint_plugins)


async def preflight(settings: Settings, pm: pluggy.PluginManager) -> None:
    """Bind the database and prove the database and the broker answer, or raise ConfigError."""
    await db.check_database(db.setup_database(settings, piccolo_app_modules(pm)))
    check_broker(settings.broker_url, broker_options(settings))


async def migrate_database(settings: Settings | None = None) -> None:
    settings = settings or get_settings()
    pm = plugin_manager(settings)
    await db.check_database(db.setup_database(settings, piccolo_app_modules(pm)))
    await db.migrate()


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
