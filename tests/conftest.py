"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

``SHOMEI_TEST_BACKENDS`` (default ``sqlite,postgres``) picks the backends;
``SHOMEI_TEST_POSTGRES_URL`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``) is an
administrative connection used to create one throw-away database per test session;
``SHOMEI_TEST_REDIS_URL`` and ``SHOMEI_TEST_AMQP_URL`` point at the real brokers. Under
pytest-xdist (``scripts/test`` runs two workers) each worker has its own Redis database; the
tests on RabbitMQ share its one virtual host and so run in one xdist group (``rabbitmq``).
Engines are bound explicitly (``core.db.bind_engine``): no test relies on a global engine.
"""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from core import db
from core.clock import SystemClock
from core.plugins import build_plugin_manager, piccolo_app_modules
from core.settings import Settings

POSTGRES_ADMIN_URL = os.environ.get(
    "SHOMEI_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
XDIST_INDEX = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
"""Which pytest-xdist worker runs this process (0 without xdist): each gets its own Redis
database, so one worker's Celery queues and locks never meet another's."""
REDIS_URL = os.environ.get("SHOMEI_TEST_REDIS_URL", f"redis://127.0.0.1:6379/{15 - XDIST_INDEX}")
AMQP_URL = os.environ.get("SHOMEI_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
BACKENDS = [b.strip() for b in os.environ.get("SHOMEI_TEST_BACKENDS", "sqlite,postgres").split(",")]
TEST_SECRET = "test-secret-key-" + "x" * 32


@dataclass(frozen=True)
class DatabaseUnderTest:
    kind: str
    url: str


def _postgres_url(name: str) -> str:
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}"


@pytest.fixture(scope="session", params=BACKENDS)
async def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[DatabaseUnderTest]:
    """A migrated, empty database of one backend, bound for the whole session."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / "shomei.sqlite3"
        found = DatabaseUnderTest("sqlite", f"sqlite:///{path}")
        await _bind_and_migrate(found.url)
        yield found
        return
    name = f"shomei_test_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    found = DatabaseUnderTest("postgres", _postgres_url(name))
    await _bind_and_migrate(found.url)
    yield found
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def _bind_and_migrate(url: str) -> None:
    pm = build_plugin_manager(load_entrypoints=False)
    db.bind_engine(db.make_engine(url), piccolo_app_modules(pm))
    await db.migrate()


def make_settings(var_dir: Path, database: DatabaseUnderTest, **extra: str) -> Settings:
    """Settings for a test: its own var dir, the session's database, a fixed secret."""
    env = {
        "SHOMEI_VAR_DIR": str(var_dir),
        "SHOMEI_DATABASE_URL": database.url,
        "SHOMEI_SECRET_KEY": TEST_SECRET,
        "SHOMEI_LOAD_ENTRYPOINT_PLUGINS": "0",
        "SHOMEI_BROKER_URL": REDIS_URL if database.kind == "postgres" else "filesystem://",
        # the sandbox upstreams and webhook receivers of the tests listen on loopback, on
        # PostgreSQL (production's shape, loopback refused by default) too; a test of the
        # production rule passes egress_allow_loopback="0"
        "SHOMEI_EGRESS_ALLOW_LOOPBACK": "1",
    }
    env.update({f"SHOMEI_{key.upper()}": value for key, value in extra.items()})
    return Settings.from_env(env)


@pytest.fixture
def settings(tmp_path: Path, database: DatabaseUnderTest) -> Settings:
    return make_settings(tmp_path / "var", database)


def make_app(settings: Settings, **options: Any) -> Any:
    """The web app as tests run it: no log reconfiguration, no pool (a pool is bound to one
    event loop, and tests reach the same database from theirs)."""
    from web.app import create_app

    options.setdefault("clock", SystemClock())
    return create_app(settings, configure_logs=False, connection_pool=False, **options)


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(make_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def output_dir(request: pytest.FixtureRequest) -> Iterator[Path]:
    """A folder under ``test-output/`` for screenshots and files a person may want to look at."""
    folder = Path("test-output") / request.node.name.replace("/", "_")
    folder.mkdir(parents=True, exist_ok=True)
    yield folder


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """Start ``shomei`` processes that are always stopped at teardown, even when a test fails."""
    from tests.processes import start_shomei, stop

    started: list[subprocess.Popen[bytes]] = []

    def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
        process = start_shomei(args, env, log)
        started.append(process)
        return process

    yield start
    for process in started:
        stop(process)
