"""Fixtures of the card tests: a real localstripe server on loopback. The card app is a
built-in, so its table is in the session database of ``tests/conftest.py``."""

from __future__ import annotations

import secrets
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from core.clock import FrozenClock
from core.context import Actor, Context, TenantRef
from core.contracts.common import PluginAccount
from plugins.card.adapter import CardAdapter
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
