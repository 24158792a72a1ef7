"""core's own hook implementations: its Piccolo apps and its message catalogs."""

from __future__ import annotations

from core.hookspecs import hookimpl
from core.i18n import load_catalogs, merge_catalogs

CORE_APPS = (
    "core",
    "core.catalog",
    "core.billing",
    "core.orders",
    "core.messaging",
    "core.payments",
    "core.schedules",
    "core.entitlements",
    "core.jobs",
)


@hookimpl
def register_piccolo_apps() -> list[str]:
    return [f"{package}.piccolo_app" for package in CORE_APPS]


@hookimpl
def register_translations() -> dict[str, dict[str, str]]:
    return merge_catalogs(load_catalogs(package) for package in CORE_APPS)
