"""Fixtures of the card tests: a real localstripe server on loopback, and a database of
their own with the card app migrated (the session database is left exactly as it was)."""

from __future__ import annotations

import secrets
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import asyncpg
import pytest

from core import db
from core.clock import FrozenClock
from core.context import Actor, Context, TenantRef
from core.contracts.common import PluginAccount
from core.plugins import build_plugin_manager, piccolo_app_modules
from plugins.card.adapter import CardAdapter
from tests.conftest import BACKENDS, POSTGRES_ADMIN_URL, _postgres_url
from tests.processes import ROOT, free_port, stop, wait_for

SECRET_KEY = "sk_test_" + "a" * 24
WEBHOOK_SECRET = "whsec_test_" + "b" * 24


def _accepts(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="session")
def localstripe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a localstripe process started for this test session."""
    port = free_port()
    log = tmp_path_factory.mktemp("localstripe") / "localstripe.log"
    with log.open("wb") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.plugins.card.localstripe_server", "--port", str(port)],
            cwd=ROOT,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(lambda: _accepts(port), 30, "localstripe to listen", log)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 4, 15, 3, 0, tzinfo=UTC))


@pytest.fixture
def ctx(clock: FrozenClock) -> Context:
    key = f"test-{secrets.token_hex(6)}"
    return Context(TenantRef(1, "acme"), Actor.system(), clock, idempotency_key=key)


@pytest.fixture
def account() -> PluginAccount:
    return PluginAccount(
        config={"publishable_key": "pk_test_x"},
        credentials={"secret_key": SECRET_KEY, "webhook_secret": WEBHOOK_SECRET},
    )


@pytest.fixture
def adapter(account: PluginAccount, localstripe: str) -> CardAdapter:
    return CardAdapter(account, api_base=localstripe)


@pytest.fixture(scope="module", params=BACKENDS)
async def card_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    """A throw-away database with every app plus ``card`` migrated and bound; afterwards
    the previous binding (the session database, if any) is bound again. The session database
    never sees the card table, so no other test depends on this module having run."""
    try:
        previous = (db.bound_engine(), list(db.bound_registry().apps or []))
    except RuntimeError:
        previous = None
    name = ""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('card') / 'card.sqlite3'}"
    else:
        name = f"shomei_card_{secrets.token_hex(4)}"
        admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        url = _postgres_url(name)
    pm = build_plugin_manager(load_entrypoints=False)  # plugins.card is a built-in
    db.bind_engine(db.make_engine(url), piccolo_app_modules(pm))
    try:
        await db.migrate()
        yield request.param
    finally:
        if previous is not None:
            db.bind_engine(*previous)
        if name:
            admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
            try:
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                await admin.close()
