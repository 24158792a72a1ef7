"""One test per hook (named ``test_hook_<hook>``), and the meta-test that demands them."""

import inspect
import os
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from litestar import get

from core import hookspecs
from core.bootstrap import seed_demo
from core.clock import FrozenClock, SystemClock
from core.errors import PluginNotFound
from core.hookspecs import hookimpl
from core.i18n import Translator, merge_catalogs
from core.plugins import (
    DEFAULT_PLUGINS,
    Registry,
    build_plugin_manager,
    collect_list,
    collect_mapping,
    piccolo_app_modules,
)
from core.templating import build_environment
from tests.conftest import make_app
from workers.celery_app import create_celery

ROOT = Path(__file__).resolve().parents[2]
HOOKS = sorted(
    name
    for name, _ in inspect.getmembers(hookspecs, inspect.isfunction)
    if hasattr(_, "shomei_spec")
)


def test_every_hook_has_a_test_and_a_line_in_the_plugin_docs():
    tests = "\n".join(path.read_text() for path in (ROOT / "tests").rglob("test_*.py"))
    docs = (ROOT / "docs" / "plugins.md").read_text()
    assert HOOKS, "no hookspecs found"
    for hook in HOOKS:
        assert re.search(rf"def test_hook_{hook}\b", tests), f"hook {hook} has no test_hook_{hook}"
        assert f"`{hook}" in docs, f"hook {hook} is not documented in docs/plugins.md"


def test_every_hook_has_a_one_line_docstring():
    for hook in HOOKS:
        doc = getattr(hookspecs, hook).__doc__
        assert doc and doc.strip(), hook


def test_builtin_plugins_are_registered_and_nothing_is_pending():
    pm = build_plugin_manager(load_entrypoints=False)
    for name in DEFAULT_PLUGINS:
        assert pm.get_plugin(name) is not None


class FakeProvider:
    code = "fake-provider"
    config_fields = ()


class OtherFakeProvider:
    code = "fake-provider"
    config_fields = ()


class FakeAdapter:
    code = "fake-adapter"
    config_fields = ()
    supports_recurring = False


class ProvidersPlugin:
    @hookimpl
    def register_providers(self):
        return [FakeProvider]

    @hookimpl
    def register_payment_adapters(self):
        return [FakeAdapter]


def test_hook_register_providers():
    registry = Registry(build_plugin_manager(load_entrypoints=False, extra=[ProvidersPlugin()]))
    assert registry.provider("fake-provider") is FakeProvider
    with pytest.raises(PluginNotFound) as caught:
        registry.provider("nope")
    assert caught.value.kind == "provider" and caught.value.code == "nope"


def test_two_plugins_claiming_one_code_are_refused():
    class Clash:
        @hookimpl
        def register_providers(self):
            return [OtherFakeProvider]

    pm = build_plugin_manager(load_entrypoints=False, extra=[ProvidersPlugin(), Clash()])
    with pytest.raises(ValueError, match="fake-provider"):
        Registry(pm)


def test_hook_register_payment_adapters():
    registry = Registry(build_plugin_manager(load_entrypoints=False, extra=[ProvidersPlugin()]))
    assert registry.payment_adapter("fake-adapter") is FakeAdapter
    with pytest.raises(PluginNotFound):
        Registry(build_plugin_manager(load_entrypoints=False)).payment_adapter("fake-adapter")


def test_hook_register_issuers():
    registry = Registry(build_plugin_manager(load_entrypoints=False))
    issuer = registry.issuer("private_ca")
    assert issuer.code == "private_ca"


def test_hook_register_piccolo_apps():
    class AppPlugin:
        @hookimpl
        def register_piccolo_apps(self):
            return ["core.piccolo_app", "tests.core.fake_piccolo_app"]

    modules = piccolo_app_modules(build_plugin_manager(load_entrypoints=False, extra=[AppPlugin()]))
    assert modules[0] == "core.piccolo_app"
    assert modules.index("core.billing.piccolo_app") < modules.index("tenants.piccolo_app")
    assert modules.count("core.piccolo_app") == 1
    assert modules[-1] == "tests.core.fake_piccolo_app"


@get("/plugin-hello", sync_to_thread=False)
def plugin_hello() -> dict[str, str]:
    return {"hello": "from a plugin"}


class RoutesPlugin:
    @hookimpl
    def register_routes(self):
        return [plugin_hello]


async def test_hook_register_routes(settings):
    from litestar.testing import AsyncTestClient

    app = make_app(settings, plugins=[RoutesPlugin()])
    async with AsyncTestClient(app) as client:
        response = await client.get("/plugin-hello")
    assert response.status_code == 200
    assert response.json() == {"hello": "from a plugin"}


def test_hook_register_task_modules(settings):
    class TasksPlugin:
        @hookimpl
        def register_task_modules(self):
            return ["tests.workers.plugin_tasks"]

    app = create_celery(
        settings, build_plugin_manager(load_entrypoints=False, extra=[TasksPlugin()]), SystemClock()
    )
    assert "tests.workers.plugin_tasks" in app.conf.imports
    assert "workers.tasks.system" in app.conf.imports
    app.loader.import_default_modules()
    assert "shomei.default.plugin_echo" in app.tasks


def test_hook_register_periodic_tasks(settings):
    class BeatPlugin:
        @hookimpl
        def register_periodic_tasks(self):
            return {"nightly-sweep": {"task": "shomei.billing.sweep", "schedule": 3600.0}}

    app = create_celery(
        settings, build_plugin_manager(load_entrypoints=False, extra=[BeatPlugin()]), SystemClock()
    )
    assert app.conf.beat_schedule["nightly-sweep"]["task"] == "shomei.billing.sweep"


def test_hook_register_translations():
    class Catalog:
        @hookimpl
        def register_translations(self):
            return {
                "ja": {"plugin.hello": "こんにちは {name}"},
                "en": {"plugin.hello": "Hello {name}"},
            }

    pm = build_plugin_manager(load_entrypoints=False, extra=[Catalog()])
    catalogs = merge_catalogs(pm.hook.register_translations())
    assert Translator(catalogs, "ja")("plugin.hello", name="山田") == "こんにちは 山田"
    assert Translator(catalogs, "en")("plugin.hello", name="Yamada") == "Hello Yamada"
    assert Translator(catalogs, "en")("health.ok") == "OK"  # shomei's own catalog stays


def test_hook_prepare_jinja2_environment():
    seen = []

    class Filters:
        @hookimpl
        def prepare_jinja2_environment(self, env, purpose):
            seen.append(purpose)
            env.filters["shout"] = lambda text: text.upper() + "!"

    pm = build_plugin_manager(load_entrypoints=False, extra=[Filters()])
    env = build_environment(pm, "email", ["web"])
    assert env.from_string("{{ 'hi' | shout }} {{ 1100 | yen('ja') }}").render() == "HI! 1,100円"
    assert seen == ["email"]


async def test_hook_register_demo_seeders(database):
    from tenants.demo import DEMO_SLUG
    from tenants.tables import StaffUser, Tenant

    calls = []

    class Seeder:
        @hookimpl
        def register_demo_seeders(self):
            async def seed(clock):
                calls.append(clock.now())
                return ["plugin demo line"]

            return [seed]

    pm = build_plugin_manager(load_entrypoints=False, extra=[Seeder()])
    clock = FrozenClock(datetime(2026, 11, 22, tzinfo=UTC))
    first = await seed_demo(pm, clock)
    second = await seed_demo(pm, clock)
    assert first == second
    assert first[-1] == "plugin demo line"
    assert any("owner@" in line for line in first)
    assert await Tenant.count().where(Tenant.slug == DEMO_SLUG).run() == 1
    tenant = await Tenant.objects().get(Tenant.slug == DEMO_SLUG).run()
    assert await StaffUser.count().where(StaffUser.tenant == tenant.id).run() == 1
    assert len(calls) == 2


def test_entry_point_plugins_load_unless_switched_off(tmp_path, monkeypatch):
    dist = tmp_path / "shomei_hello-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: shomei-hello\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[shomei.plugins]\nhello = shomei_hello_plugin\n")
    (tmp_path / "shomei_hello_plugin.py").write_text(
        "from core.hookspecs import hookimpl\n\n"
        "@hookimpl\n"
        "def register_periodic_tasks():\n"
        "    return {'hello': {'task': 'shomei.default.hello', 'schedule': 60.0}}\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        on = build_plugin_manager(load_entrypoints=True)
        off = build_plugin_manager(load_entrypoints=False)
        assert "hello" in collect_mapping(on, "register_periodic_tasks")
        assert "hello" not in collect_mapping(off, "register_periodic_tasks")
    finally:
        sys.modules.pop("shomei_hello_plugin", None)


def test_a_builtin_plugin_can_be_disabled_and_replaced():
    pm = build_plugin_manager(load_entrypoints=False, disabled=["plugins.private_ca"])
    assert pm.get_plugin("plugins.private_ca") is None
    with pytest.raises(PluginNotFound):
        Registry(pm).issuer("private_ca")


def test_hook_register_embedded_services(tmp_path, monkeypatch):
    """``shomei up`` starts each service a plugin registers on a free loopback port and points
    the settings at it; one the operator already pointed elsewhere, or one that cannot run
    here, is not started."""
    import urllib.request

    from core.embedded import _start_services, _stop_all
    from core.embedded_services import EmbeddedService

    def http_server(port, var_dir):
        return [sys.executable, "-m", "http.server", str(port), "-b", "127.0.0.1", "-d", var_dir]

    class Services:
        @hookimpl
        def register_embedded_services(self):
            return [
                EmbeddedService("files", http_server, lambda base: {"SHOMEI_TEST_FILES": base}),
                EmbeddedService("chosen", http_server, lambda base: {"SHOMEI_TEST_CHOSEN": base}),
                EmbeddedService(
                    "missing", http_server, lambda base: {"SHOMEI_TEST_MISSING": base},
                    available=lambda: False,
                ),
            ]  # fmt: skip

    pm = build_plugin_manager(load_entrypoints=False, extra=[Services()])
    services = collect_list(pm, "register_embedded_services")
    assert {"digicert-sandbox", "localstripe"} <= {s.name for s in services}
    (tmp_path / "hello.txt").write_text("served")
    monkeypatch.delenv("SHOMEI_TEST_FILES", raising=False)
    monkeypatch.delenv("SHOMEI_TEST_MISSING", raising=False)
    monkeypatch.setenv("SHOMEI_TEST_CHOSEN", "http://elsewhere.example")
    mine = [s for s in services if s.name in ("files", "chosen", "missing")]
    started = _start_services(mine, tmp_path)
    try:
        assert set(started) == {"files"}
        base = os.environ["SHOMEI_TEST_FILES"]
        assert base.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(f"{base}/hello.txt", timeout=5) as answer:
            assert answer.read() == b"served"
        assert os.environ["SHOMEI_TEST_CHOSEN"] == "http://elsewhere.example"
        assert "SHOMEI_TEST_MISSING" not in os.environ
    finally:
        _stop_all(started)
        monkeypatch.delenv("SHOMEI_TEST_FILES", raising=False)
