"""One shomei install for a journey test, started the way a person installs it.

From an empty database: ``shomei migrate``, ``shomei operator-add`` (the first operator),
then ``shomei serve``, ``shomei worker`` and ``shomei beat`` as real processes, with the
parts a real install talks to on loopback: an SMTP server (``mailbox``), the DigiCert
sandbox upstream as its own process, localstripe for cards, and the customer's own web server
(``customer_web``) where a customer puts the DCV file the portal tells them to.

Nothing here writes product data: everything a journey needs after start is made through
pages (or the public API/CLI) by the test itself.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import redis

from core.settings import Settings
from tests.conftest import (
    POSTGRES_ADMIN_URL,
    REDIS_URL,
    XDIST_INDEX,
    DatabaseUnderTest,
    make_settings,
)
from tests.journeys.mailbox import Mailbox, SmtpSink
from tests.plugins.digicert.servers import TokenServer
from tests.processes import ROOT, free_port, run_shomei, shomei_env, start_shomei, stop, wait_for

BASE = "shomei.test"
OPERATOR = ("operator@shomei-ops.example.jp", "operator pass phrase 1")
SANDBOX_API_KEY = "sandbox-journey-key"
JOURNEY_REDIS_DB = 11 - XDIST_INDEX
"""The worker queue of a PostgreSQL stack lives in its own Redis database, emptied at start:
a task left by another test's worker must not reach this install."""


@dataclass(frozen=True)
class Stack:
    port: int
    settings: Settings
    mailbox: Mailbox
    customer_web: TokenServer
    digicert_api: str
    digicert_api_key: str
    localstripe: str
    logs: Path
    operator: tuple[str, str] = OPERATOR

    def base_url(self, path: str = "/") -> str:
        return f"http://{BASE}:{self.port}{path}"

    def tenant_url(self, slug: str, path: str = "/") -> str:
        return f"http://{slug}.{BASE}:{self.port}{path}"

    def log_tail(self, lines: int = 60) -> str:
        """The end of every process log (for an assertion message when a journey fails)."""
        out = []
        for log in sorted(self.logs.glob("*.log")):
            tail = log.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"--- {log.name}\n" + "\n".join(tail))
        return "\n".join(out)


async def empty_database(kind: str, folder: Path) -> DatabaseUnderTest:
    if kind == "sqlite":
        return DatabaseUnderTest("sqlite", f"sqlite:///{folder / 'shomei.sqlite3'}")
    name = f"shomei_journey_{folder.name[-8:].replace('-', '_')}_{free_port()}"
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return DatabaseUnderTest("postgres", f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}")


async def drop_database(database: DatabaseUnderTest) -> None:
    if database.kind != "postgres":
        return
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        name = database.url.rsplit("/", 1)[1]
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def _broker(kind: str) -> str:
    if kind == "sqlite":
        return "filesystem://"
    url = f"{REDIS_URL.rsplit('/', 1)[0]}/{JOURNEY_REDIS_DB}"
    redis.Redis.from_url(url).flushdb()
    return url


def _listens(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _answers(url: str) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=1) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


@contextmanager
def _process(args: list[str], log: Path, env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as handle:
        process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield process
    finally:
        stop(process)


@contextmanager
def running_stack(database: DatabaseUnderTest, folder: Path, localstripe: str) -> Iterator[Stack]:
    logs = folder / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    port, smtp_port, sandbox_port = free_port(), free_port(), free_port()
    with ExitStack() as running:
        sink = running.enter_context(SmtpSink(smtp_port))
        customer_web = running.enter_context(TokenServer())
        sandbox = [
            sys.executable,
            "-m",
            "plugins.digicert.sandbox",
            "--port",
            str(sandbox_port),
            "--state-dir",
            str(folder / "sandbox"),
            "--api-key",
            SANDBOX_API_KEY,
            "--dcv-port",
            str(customer_web.port),
            "--resolve",
            ".test=127.0.0.1",
        ]
        running.enter_context(_process(sandbox, logs / "digicert-sandbox.log", shomei_env()))
        digicert_api = f"http://127.0.0.1:{sandbox_port}/services/v2"
        settings = make_settings(
            folder / "var",
            database,
            public_url=f"http://{BASE}:{port}",
            smtp_url=f"smtp://127.0.0.1:{smtp_port}",
            broker_url=_broker(database.kind),
        )
        env = shomei_env(
            settings,
            SHOMEI_PUBLIC_URL=settings.public_url,
            SHOMEI_SMTP_URL=settings.smtp_url,
            SHOMEI_STRIPE_API_BASE=localstripe,
        )
        for args, stdin in (
            (["migrate"], None),
            (
                ["operator-add", "--email", OPERATOR[0], "--name", "運用 担当", "--password-stdin"],
                OPERATOR[1],
            ),
        ):
            done = run_shomei(args, env, stdin=stdin)
            assert done.returncode == 0, f"shomei {args[0]}: {done.stdout}{done.stderr}"
        for name, args in (
            ("serve", ["serve", "--host", "127.0.0.1", "--port", str(port)]),
            ("worker", ["worker", "--concurrency", "2"]),
            ("beat", ["beat"]),
        ):
            process = start_shomei(args, env, logs / f"{name}.log")
            running.callback(stop, process)
        health = f"http://127.0.0.1:{port}/health"
        wait_for(lambda: _answers(health), 60, "shomei serve to answer /health", logs / "serve.log")
        wait_for(
            lambda: _listens(sandbox_port),
            30,
            "the DigiCert sandbox",
            logs / "digicert-sandbox.log",
        )
        yield Stack(
            port=port,
            settings=settings,
            mailbox=sink.mailbox,
            customer_web=customer_web,
            digicert_api=digicert_api,
            digicert_api_key=SANDBOX_API_KEY,
            localstripe=localstripe,
            logs=logs,
        )
