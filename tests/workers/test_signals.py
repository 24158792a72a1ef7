"""A task runs inside the tenant scope its producer sent, and only for its own duration."""

import json

from celery import shared_task

from core.clock import SystemClock
from core.context import TenantRef, current_tenant, require_tenant
from core.logs import log_context
from core.plugins import build_plugin_manager
from core.settings import Settings
from workers.celery_app import create_celery
from workers.signals import TENANT_HEADER, send_task

SEEN: list[tuple[TenantRef | None, dict | None]] = []


@shared_task(name="shomei.default.test_record_scope")
def record_scope() -> None:
    SEEN.append((current_tenant(), log_context.get()))


def _app(tmp_path):
    settings = Settings.from_env({"SHOMEI_VAR_DIR": str(tmp_path)})
    return create_celery(
        settings, build_plugin_manager(load_entrypoints=False), SystemClock()
    ), settings


def test_the_task_body_sees_the_tenant_of_the_header_and_nothing_leaks_after(tmp_path):
    _app(tmp_path)
    SEEN.clear()
    tenant = TenantRef(id=42, slug="acme", language="en", time_zone="Asia/Tokyo")
    header = {
        TENANT_HEADER: {"id": 42, "slug": "acme", "language": "en", "time_zone": "Asia/Tokyo"}
    }
    record_scope.apply(headers=header)
    record_scope.apply()
    (with_tenant, with_log), (without_tenant, _) = SEEN
    assert with_tenant == tenant
    assert with_log["tenant"] == "acme" and with_log["task"] == "shomei.default.test_record_scope"
    assert without_tenant is None
    assert current_tenant() is None  # closed after the task


def test_send_task_puts_the_tenant_in_the_message_header(tmp_path):
    app, settings = _app(tmp_path)
    tenant = TenantRef(id=7, slug="shop7")
    send_task(app, "shomei.billing.anything", args=(1,), tenant=tenant)
    files = list((settings.broker_folder / "queue").glob("*.billing.msg"))
    assert len(files) == 1, "routed to the billing queue by its name"
    message = json.loads(files[0].read_text())
    assert message["headers"][TENANT_HEADER] == {
        "id": 7,
        "slug": "shop7",
        "language": "ja",
        "time_zone": "Asia/Tokyo",
    }


def test_require_tenant_fails_loudly_outside_a_task_scope():
    import pytest

    from core.context import MissingTenantContext

    with pytest.raises(MissingTenantContext):
        require_tenant()
