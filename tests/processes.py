"""Helpers to run shomei's real processes (``shomei worker``, ``shomei up``) from tests."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from core.settings import Settings

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent


def shomei_env(settings: Settings | None = None, **extra: str) -> dict[str, str]:
    """The environment of a child process: this one's, minus any SHOMEI_*, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOMEI_")}
    if settings is not None:
        env.update(
            SHOMEI_VAR_DIR=str(settings.var_dir),
            SHOMEI_DATABASE_URL=settings.database_url,
            SHOMEI_BROKER_URL=settings.broker_url,
            SHOMEI_SECRET_KEY=settings.secret_key,
            SHOMEI_LOAD_ENTRYPOINT_PLUGINS="0",
            # the loopback sandboxes and receivers the tests start are allowed exactly as in
            # the test's own settings
            SHOMEI_EGRESS_ALLOW_LOOPBACK="1" if settings.egress_allow_loopback else "0",
        )
    env.update(extra)
    return env


def start_shomei(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    handle = log.open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "core.cli", *args],
        cwd=ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def run_shomei(
    args: list[str], env: dict[str, str], timeout: float = 60, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "core.cli", *args],
        input=stdin,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def stop(process: subprocess.Popen[bytes], timeout: float = 20) -> int:
    """SIGTERM, then SIGKILL to the whole process group (a worker's pool children too)."""
    if process.poll() is None:
        process.terminate()
    try:
        code = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        code = None
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    return process.wait() if code is None else code


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(
    check: Callable[[], T | None], timeout: float, what: str, log: Path | None = None
) -> T:
    """Poll ``check`` until it returns something truthy; fail naming ``what`` (and the log)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{tail}")


async def eventually(
    check: Callable[[], object], timeout: float, what: str, log: Path | None = None
) -> object:
    """Async twin of ``wait_for`` for checks that query the database."""
    import asyncio

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = await check()  # type: ignore[misc]
        if result:
            return result
        await asyncio.sleep(0.2)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{tail}")
