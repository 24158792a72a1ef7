"""``shomei up``: one embedded deployment (web + worker + beat) in the foreground.

Migrates, seeds demo data into an empty database, starts the three processes as children,
waits until the web process answers, prints where to open it and the demo logins, and stops
every child cleanly on Ctrl-C (or when one of them dies).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time
from types import FrameType
from urllib.parse import urlsplit

import httpx

from core.bootstrap import migrate_database, plugin_manager, preflight, seed_demo
from core.clock import SystemClock
from core.settings import get_settings

CHILDREN = ("serve", "worker", "beat")
STARTUP_TIMEOUT = 60.0


def run_embedded(argv: list[str]) -> None:
    os.environ.update(_address_settings(argv))  # before the settings are read, for every child
    settings = get_settings()
    asyncio.run(preflight(settings, plugin_manager(settings)))
    asyncio.run(migrate_database(settings))
    logins = asyncio.run(seed_demo(plugin_manager(settings), SystemClock()))
    children = {
        name: subprocess.Popen([sys.executable, "-m", "core.cli", name]) for name in CHILDREN
    }
    stopping = False

    def stop(signum: int, _: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        _wait_until_up(f"http://{settings.host}:{settings.port}/health", children)
        print(f"\nshomei is running: open {settings.public_url}/", flush=True)
        print(f"API documentation: {settings.public_url}/api/v1/schema/docs", flush=True)
        parts = urlsplit(settings.public_url)
        for line in logins:  # seeders may name {public_url}, {scheme} and {netloc}
            text = line.format(
                public_url=settings.public_url, scheme=parts.scheme, netloc=parts.netloc
            )
            print(text, flush=True)
        print("Press Ctrl-C to stop.", flush=True)
        while not stopping:
            dead = [name for name, child in children.items() if child.poll() is not None]
            if dead:
                names = ", ".join(dead)
                print(f"shomei: {names} stopped unexpectedly; stopping the rest", file=sys.stderr)
                raise SystemExit(1)
            time.sleep(0.5)
    finally:
        _stop_all(children)


def _address_settings(argv: list[str]) -> dict[str, str]:
    """``shomei up --port 9000 --host 0.0.0.0`` as the settings ``SHOMEI_PORT`` and
    ``SHOMEI_HOST``: the web server listens there, ``up`` waits there, and the public URL the
    pages, mails and printed addresses use follows (unless ``SHOMEI_PUBLIC_URL`` is set)."""
    parser = argparse.ArgumentParser(prog="shomei up")
    parser.add_argument("--host", help="address the web server listens on (SHOMEI_HOST)")
    parser.add_argument("--port", type=int, help="port of the web server (SHOMEI_PORT)")
    args = parser.parse_args(argv)
    found = {"SHOMEI_HOST": args.host, "SHOMEI_PORT": args.port}
    return {name: str(value) for name, value in found.items() if value is not None}


def _wait_until_up(url: str, children: dict[str, subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if children["serve"].poll() is not None:
            raise SystemExit("shomei: the web server failed to start (see the lines above)")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"shomei: the web server did not answer {url} within {STARTUP_TIMEOUT:.0f}s")


def _stop_all(children: dict[str, subprocess.Popen[bytes]]) -> None:
    for child in children.values():
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + 15
    for child in children.values():
        try:
            child.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
