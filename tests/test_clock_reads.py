"""Time comes from the injected clock, always (docs/architecture.md): no code a test can reach
reads the system time except the composition roots, which hand a ``SystemClock`` to everything
else. A system-time read anywhere else is a time bomb: the test passes today and fails on
another date, so this check refuses ``SystemClock`` (called or passed as a factory),
``datetime.now()``, ``datetime.utcnow()``, ``datetime.today()``, ``date.today()``,
``time.time()`` and ``time.time_ns()`` in every product package."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "tenants", "plugins", "web", "workers")
# the processes' entry points, and the clock module itself
COMPOSITION_ROOTS = {
    "core/clock.py",
    "core/embedded.py",  # shomei up: seeds the demo tenant
    "web/server.py",  # shomei serve
    "workers/main.py",  # shomei worker / shomei beat
    "plugins/digicert/sandbox/__main__.py",  # the sandbox upstream as its own process
}
READS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
}


def system_time_reads(source: str) -> list[tuple[int, str]]:
    """(line, text) of each read of the system time in ``source``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name) and node.id == "SystemClock":
            found.append((node.lineno, "SystemClock"))
        elif isinstance(node, ast.Attribute) and node.attr == "SystemClock":
            found.append((node.lineno, "SystemClock"))
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and (node.value.id, node.attr) in READS
        ):
            found.append((node.lineno, f"{node.value.id}.{node.attr}"))
        elif isinstance(node, ast.ImportFrom) and node.module == "time":
            found += [(node.lineno, f"time.{a.name}") for a in node.names if a.name == "time"]
    return sorted(found)


def test_only_composition_roots_read_the_system_time() -> None:
    offenders = [
        f"{relative}:{line}: {text}"
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if (relative := path.relative_to(ROOT).as_posix()) not in COMPOSITION_ROOTS
        and "piccolo_migrations" not in path.parts
        for line, text in system_time_reads(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_check_sees_each_kind_of_read() -> None:
    source = """
from dataclasses import field
from datetime import date, datetime
import time
from time import time as now
from core import clock

a = datetime.now()
b = date.today()
c = time.time()
d = field(default_factory=SystemClock)
e = clock.SystemClock()
f = datetime.utcnow()
g = time.monotonic()
"""
    assert [text for _, text in system_time_reads(source)] == [
        "time.time",
        "datetime.now",
        "date.today",
        "time.time",
        "SystemClock",
        "SystemClock",
        "datetime.utcnow",
    ]


def test_every_composition_root_exists() -> None:
    assert [root for root in sorted(COMPOSITION_ROOTS) if not (ROOT / root).is_file()] == []
