"""Piccolo's configuration module, resolved lazily from shomei's bound engine.

Piccolo's migration commands look up ``DB`` and ``APP_REGISTRY`` here. Neither is built at
import time: both come from ``core.db.bind_engine`` (called by ``shomei migrate``, the app, the
worker and the tests). For the ``piccolo`` CLI (``piccolo migrations new core --auto``) the
module binds the engine of the current ``SHOMEI_*`` settings on first use.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name not in ("DB", "APP_REGISTRY"):
        raise AttributeError(name)
    from core import db

    try:
        engine, registry = db.bound_engine(), db.bound_registry()
    except RuntimeError:
        from core.plugins import build_plugin_manager, piccolo_app_modules
        from core.settings import get_settings

        pm = build_plugin_manager(load_entrypoints=get_settings().load_entrypoint_plugins)
        engine = db.setup_database(get_settings(), piccolo_app_modules(pm))
        registry = db.bound_registry()
    return engine if name == "DB" else registry
