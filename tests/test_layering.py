"""The import rules of docs/architecture.md §1, checked on the source: core imports none of
tenants/, web/, workers/ or plugins/, nor Litestar or Celery; tenants/ only core; a plugin's
services never import web/ (only its route modules, and the register_routes hook in __init__,
use web's toolkit)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROUTE_MODULE = re.compile(r"^(__init__|api[a-z_]*|console[a-z_]*|[a-z_]*_pages?|topup_return)\.py$")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
    return found


def _offenders(folder: str, forbidden: set[str], allow: re.Pattern[str] | None = None) -> list[str]:
    return sorted(
        f"{path.relative_to(ROOT)} imports {', '.join(sorted(_imports(path) & forbidden))}"
        for path in (ROOT / folder).rglob("*.py")
        if "piccolo_migrations" not in path.parts
        and not (allow and allow.match(path.name))
        and _imports(path) & forbidden
    )


def test_core_imports_no_outer_layer() -> None:
    assert _offenders("core", {"tenants", "web", "workers", "plugins", "litestar", "celery"}) == []


def test_tenants_import_only_core() -> None:
    assert _offenders("tenants", {"web", "workers", "plugins"}) == []


def test_plugin_services_do_not_import_web_or_workers() -> None:
    assert _offenders("plugins", {"workers"}) == []
    assert _offenders("plugins", {"web"}, allow=ROUTE_MODULE) == []
