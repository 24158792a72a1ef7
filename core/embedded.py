"""``shomei up``: one embedded deployment (web + worker + beat) in the foreground.

Migrates, starts the plugins' local upstreams (``core.embedded_services``: the DigiCert
sandbox, localstripe when installed) on free loopback ports and points the settings at them,
seeds demo data into an empty database, starts the three processes as children, waits until
the web process answers, prints where to open it and the demo logins, and stops every child
cleanly on Ctrl-C (or when one of them dies).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit

import httpx

from core.bootstrap import migrate_database, plugin_manager, preflight, seed_demo
from core.clock import SystemClock
from core.embedded_services import EmbeddedService
from core.plugins import collect_list
from core.settings import get_settings

CHILDREN = ("serve", "worker", "beat")
STARTUP_TIMEOUT = 60.0
SERVICE_TIMEOUT = 30.0


def run_embedded(argv: list[str]) -> None:
    os.environ.update(_address_settings(argv))  # before the settings are read, for every child
    settings = get_settings()
    asyncio.run(preflight(settings, plugin_manager(settings)))
    asyncio.run(migrate_database(settings))
    stopping = False

    def stop(signum: int, _: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    children: dict[str, subprocess.Popen[bytes]] = {}
    try:
        services = collect_list(plugin_manager(settings), "register_embedded_services")
        children.update(_start_services(services, settings.var_dir))
        get_settings.cache_clear()  # the services' variables are set: read them again
        settings = get_settings()
        logins = asyncio.run(seed_demo(plugin_manager(settings), SystemClock()))
        if stopping:  # Ctrl-C while starting: stop what was started, start nothing more
            return
        for name in CHILDREN:
            children[name] = subprocess.Popen([sys.executable, "-m", "core.cli", name])
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


def _start_services(
    services: list[EmbeddedService], var_dir: Path
) -> dict[str, subprocess.Popen[bytes]]:
    """Each available service on a free loopback port, its variables set in ``os.environ``
    once it accepts connections. One that fails is left out with a line saying so: the demo
    then runs without it (``shomei check`` style, not a crash)."""
    started: dict[str, subprocess.Popen[bytes]] = {}
    for service in services:
        if not service.available():
            print(f"shomei: {service.name} is not installed; the demo runs without it", flush=True)
            continue
        base_probe = service.environment("http://127.0.0.1:0")
        if any(os.environ.get(name) for name in base_probe):
            continue  # the operator pointed shomei elsewhere
        port = _free_port()
        child = subprocess.Popen(service.command(port, var_dir), stdout=subprocess.DEVNULL)
        if not _accepts(port, child):
            print(f"shomei: {service.name} did not start; the demo runs without it", flush=True)
            _stop_all({service.name: child})
            continue
        started[service.name] = child
        os.environ.update(service.environment(f"http://127.0.0.1:{port}"))
    return started


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _accepts(port: int, child: subprocess.Popen[bytes]) -> bool:
    deadline = time.monotonic() + SERVICE_TIMEOUT
    while time.monotonic() < deadline and child.poll() is None:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.2)
    return False


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
