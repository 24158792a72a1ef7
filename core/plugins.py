"""The one factory that builds shomei's pluggy manager, and typed lookups over it."""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import Any

import pluggy

from core import hookspecs
from core.errors import PluginNotFound

ENTRYPOINT_GROUP = "shomei.plugins"

DEFAULT_PLUGINS: tuple[str, ...] = (
    "core.builtin",
    "core.messaging.builtin",
    "core.schedules.builtin",
    "tenants.builtin",
    "web.builtin",
    "plugins.private_ca",
    "plugins.card",
    "plugins.bank_transfer",
    "plugins.digicert",
    "plugins.wallet",
    "plugins.direct_debit",
    "workers.tasks.fulfilment",
    "workers.tasks.jobs",
)
"""shomei's built-in plugins: ordinary modules with ``@hookimpl`` functions."""


def build_plugin_manager(
    *,
    load_entrypoints: bool = True,
    extra: Iterable[object] = (),
    disabled: Iterable[str] = (),
) -> pluggy.PluginManager:
    """Specs, built-in plugins (less ``disabled`` ones), then (if enabled) third-party entry
    points, then ``extra``. A test replaces a built-in by disabling it and passing its own."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for name in disabled:
        pm.set_blocked(name)
    for name in DEFAULT_PLUGINS:
        if not pm.is_blocked(name):
            pm.register(importlib.import_module(name), name=name)
    if load_entrypoints:
        pm.load_setuptools_entrypoints(ENTRYPOINT_GROUP)
    for plugin in extra:
        pm.register(plugin)
    pm.check_pending()
    return pm


def _by_code(pm: pluggy.PluginManager, hook: str, kind: str) -> dict[str, type]:
    found: dict[str, type] = {}
    for batch in getattr(pm.hook, hook)():
        for cls in batch:
            code = cls.code
            if code in found and found[code] is not cls:
                raise ValueError(f"two {kind} plugins claim the code {code!r}")
            found[code] = cls
    return found


class Registry:
    """Plugin classes by code, collected once from a plugin manager."""

    def __init__(self, pm: pluggy.PluginManager) -> None:
        self.pm = pm
        self.providers = _by_code(pm, "register_providers", "provider")
        self.payment_adapters = _by_code(pm, "register_payment_adapters", "payment adapter")
        self.issuers = _by_code(pm, "register_issuers", "issuer")

    def provider(self, code: str) -> type:
        return self._get(self.providers, "provider", code)

    def payment_adapter(self, code: str) -> type:
        return self._get(self.payment_adapters, "payment adapter", code)

    def issuer(self, code: str) -> type:
        return self._get(self.issuers, "issuer", code)

    @staticmethod
    def _get(table: dict[str, type], kind: str, code: str) -> type:
        try:
            return table[code]
        except KeyError:
            raise PluginNotFound(kind, code) from None


def piccolo_app_modules(pm: pluggy.PluginManager) -> list[str]:
    """Every Piccolo app any plugin registered, built-ins first, without duplicates."""
    seen: dict[str, None] = {}
    for batch in reversed(pm.hook.register_piccolo_apps()):
        for name in batch:
            seen.setdefault(name, None)
    return list(seen)


def collect_mapping(pm: pluggy.PluginManager, hook: str, **kwargs: Any) -> dict[str, Any]:
    """Merge the dicts a ``register_*`` hook returns; later registrations win."""
    merged: dict[str, Any] = {}
    for batch in reversed(getattr(pm.hook, hook)(**kwargs)):
        merged.update(batch)
    return merged


def collect_list(pm: pluggy.PluginManager, hook: str) -> list[Any]:
    return [item for batch in reversed(getattr(pm.hook, hook)()) for item in batch]
