"""Real parts for the schedule fault tests: a private redis-server (so restarting it touches no
one else) with an append-only file, and a beat plugin installed as an entry point."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import redis

from tests.processes import free_port, stop


def real_time_env() -> dict[str, str]:
    """This environment without libfaketime: a server the tests start (Redis) keeps the real
    time, as the machine's own PostgreSQL and Redis do in the date-shifted pass (scripts/test);
    redis-server refuses to start under a faked clock."""
    return {
        name: value
        for name, value in os.environ.items()
        if name != "LD_PRELOAD" and not name.startswith("FAKETIME")
    }


class OwnRedis:
    """redis-server on a free port, persisting every write (appendfsync always) in ``folder``:
    what a broker must do for queued tasks to survive its restart."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        folder.mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> OwnRedis:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir",
             str(self.folder), "--appendonly", "yes", "--appendfsync", "always", "--save", ""],
            stdout=(self.folder / "redis.log").open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=real_time_env(),
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis.from_url(self.url).ping():
                    return self
            except redis.ConnectionError:
                time.sleep(0.1)
        raise AssertionError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


def install_beat_plugin(folder: Path, entries: str) -> Path:
    """An entry-point plugin whose ``register_periodic_tasks`` returns ``entries`` (Python)."""
    site = folder / "site"
    dist = site / "shomei_schedule_probe-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: shomei-schedule-probe\nVersion: 1.0\n"
    )
    (dist / "entry_points.txt").write_text("[shomei.plugins]\nprobe = shomei_schedule_probe\n")
    (site / "shomei_schedule_probe.py").write_text(
        "from core.hookspecs import hookimpl\n\n\n"
        "@hookimpl\ndef register_periodic_tasks():\n"
        f"    return {entries}\n"
    )
    return site
