"""A PostgreSQL database as production runs it: the tables' owner migrates, the app connects as
another role under row-level security, and a third role (the system role, which the app role
cannot become) does the work that spans tenants. Shared by the RLS and concurrency tests.

``concurrent_database`` is the fixture for races: on SQLite it is the session's database (its
writers are serialised); on PostgreSQL a fresh database, the app role's engine bound with a
connection pool, so ``asyncio.gather`` really runs on concurrent connections under RLS.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
from piccolo.engine.postgres import PostgresEngine

from core import db
from core.bootstrap import migrate_database
from core.settings import Settings
from tests.conftest import (
    POSTGRES_ADMIN_URL,
    REDIS_URL,
    DatabaseUnderTest,
    _postgres_url,
    make_settings,
)

APP_ROLE = "shomei_app_test"
APP_PASSWORD = "app-role-password"
SYSTEM_ROLE = "shomei_system_test"
SYSTEM_PASSWORD = "system-role-password"
POOL_SIZE = 20


@dataclass(frozen=True)
class AppRoleDatabase:
    settings: Settings
    protected: list[str]
    owner_url: str
    app_url: str
    system_url: str


async def _ensure_role(admin: asyncpg.Connection, role: str, password: str) -> None:
    if not await admin.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role):
        await admin.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")


@contextlib.asynccontextmanager
async def app_role_database(tmp_path: Path) -> AsyncIterator[AppRoleDatabase]:
    """A throw-away database migrated by its owner; the session's engine is bound again after."""
    name = f"shomei_rls_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        await _ensure_role(admin, APP_ROLE, APP_PASSWORD)
        await _ensure_role(admin, SYSTEM_ROLE, SYSTEM_PASSWORD)
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    owner_url = _postgres_url(name)
    host_part = owner_url.split("@", 1)[1]
    app_url = f"postgresql://{APP_ROLE}:{APP_PASSWORD}@{host_part}"
    system_url = f"postgresql://{SYSTEM_ROLE}:{SYSTEM_PASSWORD}@{host_part}"
    settings = make_settings(
        tmp_path,
        DatabaseUnderTest("postgres", app_url),
        migration_database_url=owner_url,
        system_database_url=system_url,
        broker_url=REDIS_URL,
    )
    try:  # put back whatever engine the session had bound when this test is done
        previous = (db.bound_engine(), list(db.bound_registry().apps))
    except RuntimeError:
        previous = None
    try:
        protected = await migrate_database(settings)
        yield AppRoleDatabase(settings, protected, owner_url, app_url, system_url)
    finally:
        if previous:
            db.bind_engine(*previous)
        admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.fixture
async def concurrent_database(
    database: DatabaseUnderTest, tmp_path: Path
) -> AsyncIterator[DatabaseUnderTest]:
    """The session's SQLite database, or a PostgreSQL one reached as the app role through a
    pool of ``POOL_SIZE`` connections."""
    if database.kind != "postgres":
        yield database
        return
    async with app_role_database(tmp_path) as found:
        engine = db.setup_database(found.settings, list(db.bound_registry().apps))
        assert isinstance(engine, PostgresEngine)
        await engine.start_connection_pool(min_size=2, max_size=POOL_SIZE)
        try:
            yield DatabaseUnderTest("postgres", found.app_url)
        finally:
            await engine.close_connection_pool()
