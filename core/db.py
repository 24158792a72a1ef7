"""The database engine: built from settings, bound explicitly, migrated with Piccolo.

There is no engine created at import time. ``bind_engine`` makes one engine current for every
table of every registered Piccolo app (and for Piccolo's own migration machinery, through
``piccolo_conf``); tests call it with the engine of the backend they run on.
"""

from __future__ import annotations

import asyncio
import importlib
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.apps.migrations.tables import Migration
from piccolo.conf.apps import AppConfig, AppRegistry
from piccolo.engine.base import Engine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from core.errors import ConfigError
from core.pg_engine import TenantAwarePostgresEngine
from core.rls import tenant_setting_key
from core.settings import Settings

_state: dict[str, object] = {}


def make_engine(
    database_url: str, system_database_url: str = "", tenant_key: bytes | None = None
) -> Engine:
    """A Piccolo engine for ``sqlite:///path`` or ``postgresql://...``; on PostgreSQL, work in a
    system scope connects as ``system_database_url``'s role when given, and tenant connections
    carry the tenant tagged with ``tenant_key`` (``core.pg_engine``, ``core.rls``; without it
    a role under row-level security sees no tenant row)."""
    if urlsplit(database_url).scheme == "sqlite":
        path = Path(database_url.split("///", 1)[1])
        path.parent.mkdir(parents=True, exist_ok=True)
        return SQLiteEngine(path=str(path), timeout=30)
    with warnings.catch_warnings():  # Piccolo connects here to read the server version and
        warnings.simplefilter("ignore")  # warns when it cannot; check_database says it once
        system = {"dsn": system_database_url} if system_database_url else None
        return TenantAwarePostgresEngine(
            config={"dsn": database_url},
            system_config=system,
            tenant_key=tenant_key,
            log_queries=False,
        )


def bind_engine(engine: Engine, app_modules: list[str]) -> Engine:
    """Make ``engine`` the engine of every table in ``app_modules`` and of Piccolo's migrations."""
    registry = AppRegistry(apps=app_modules)
    for app_config in registry.app_configs.values():
        for table in app_config.table_classes:
            table._meta.db = engine
    Migration._meta.db = engine  # Piccolo's record of applied migrations lives there too
    _state["engine"] = engine
    _state["registry"] = registry
    return engine


def bound_engine() -> Engine:
    try:
        return _state["engine"]  # type: ignore[return-value]
    except KeyError:
        raise RuntimeError("no database engine bound: call core.db.bind_engine first") from None


def write_transaction() -> Any:
    """A transaction of the bound engine that takes the write lock at once on SQLite (BEGIN
    IMMEDIATE). A deferred SQLite transaction that reads, then writes, can fail with 'database
    is locked' when a concurrent one does the same; PostgreSQL's default transaction is fine."""
    engine = bound_engine()
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


def bound_registry() -> AppRegistry:
    try:
        return _state["registry"]  # type: ignore[return-value]
    except KeyError:
        raise RuntimeError("no Piccolo apps bound: call core.db.bind_engine first") from None


def app_configs() -> list[AppConfig]:
    return list(bound_registry().app_configs.values())


async def migrate() -> None:
    """Run every pending migration of every bound app, in dependency order."""
    result = await run_forwards(app_name="all", migration_id="all", fake=False)
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}")


async def check_database(engine: Engine, timeout: float = 3.0) -> None:
    """One round trip to the database, or a ConfigError that names the setting."""
    try:
        with warnings.catch_warnings():  # Piccolo also warns; our one line is enough
            warnings.simplefilter("ignore")
            await asyncio.wait_for(engine.run_ddl("SELECT 1"), timeout)
    except Exception as exc:
        raise ConfigError(
            "SHOMEI_DATABASE_URL", f"cannot reach the database ({_reason(exc)})"
        ) from None


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]


def setup_database(settings: Settings, app_modules: list[str]) -> Engine:
    """Build the engine for ``settings`` and bind it: the one call a process makes at start."""
    system = settings.system_database_url
    engine = make_engine(
        settings.database_url,
        "" if system == settings.database_url else system,
        tenant_setting_key(settings.secret_key),
    )
    return bind_engine(engine, app_modules)


def import_tables(app_modules: list[str]) -> None:
    """Import each app's module so its tables exist (used by the migration helper)."""
    for name in app_modules:
        importlib.import_module(name)
