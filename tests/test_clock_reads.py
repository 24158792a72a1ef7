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
    "tenants/operator_cli.py",  # shomei operator-add
    "plugins/digicert/sandbox/__main__.py",  # the sandbox upstream as its own process
}
READS = {
    "datetime.datetime.now",
    "datetime.datetime.utcnow",
    "datetime.datetime.today",
    "datetime.date.today",
    "time.time",
    "time.time_ns",
}


def _imported_names(tree: ast.AST) -> dict[str, str]:
    """Local name -> what it stands for: ``import time as t`` gives ``t -> time``,
    ``from datetime import datetime as dt`` gives ``dt -> datetime.datetime``."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0]
                )
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _dotted(node: ast.AST) -> list[str] | None:
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return None if inner is None else [*inner, node.attr]
    return None


def system_time_reads(source: str) -> list[tuple[int, str]]:
    """(line, what) of each read of the system time in ``source``, through any import alias."""
    tree = ast.parse(source)
    names = _imported_names(tree)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name | ast.Attribute) and not isinstance(
            getattr(node, "ctx", None), ast.Store
        ):
            parts = _dotted(node)
            if parts is None:
                continue
            qualified = ".".join([names.get(parts[0], parts[0]), *parts[1:]])
            if qualified in READS:
                found.append((node.lineno, qualified))
            elif parts[-1] == "SystemClock" and (len(parts) > 1 or isinstance(node, ast.Name)):
                found.append((node.lineno, "SystemClock"))
    # an attribute chain is also walked as its inner names: keep one finding per line and read
    return sorted(set(found))


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
import datetime as dtmod
import time
import time as t
from dataclasses import field
from datetime import date, datetime
from datetime import datetime as dt
from time import time as now, time_ns
from core import clock

a = datetime.now()
b = date.today()
c = time.time()
d = field(default_factory=SystemClock)
e = clock.SystemClock()
f = datetime.utcnow()
g = time.monotonic()
h = dtmod.datetime.now()
i = t.time()
j = dt.now()
k = now()
m = time_ns()
"""
    assert system_time_reads(source) == [
        (11, "datetime.datetime.now"),
        (12, "datetime.date.today"),
        (13, "time.time"),
        (14, "SystemClock"),
        (15, "SystemClock"),
        (16, "datetime.datetime.utcnow"),
        (18, "datetime.datetime.now"),
        (19, "time.time"),
        (20, "datetime.datetime.now"),
        (21, "time.time"),
        (22, "time.time_ns"),
    ]


def test_every_composition_root_exists() -> None:
    assert [root for root in sorted(COMPOSITION_ROOTS) if not (ROOT / root).is_file()] == []
