"""What a worker process sets up once: settings, plugins and the bound database engine."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from celery import current_app

from core import db
from core.clock import Clock
from core.context import TenantRef
from core.plugins import piccolo_app_modules
from tenants.tables import Tenant

log = logging.getLogger(__name__)


def task_clock() -> Clock:
    """The clock the current app was built with: tasks never read the system time themselves."""
    found: Clock = current_app.conf.shomei_clock
    return found


def ensure_database() -> None:
    """Bind the engine of the current app's settings the first time a task needs the database."""
    try:
        db.bound_engine()
    except RuntimeError:
        settings = current_app.conf.shomei_settings
        db.setup_database(settings, piccolo_app_modules(current_app.conf.shomei_plugins))


async def tenant_ref(tenant_id: int) -> TenantRef:
    """The TenantRef a task needs, read once from the tenants table (not tenant-owned data)."""
    row = await (
        Tenant.select(Tenant.id, Tenant.slug, Tenant.language, Tenant.time_zone)
        .where(Tenant.id == tenant_id)
        .first()
        .run()
    )
    if row is None:
        raise LookupError(f"no tenant {tenant_id}")
    return TenantRef(**row)


async def tenant_refs(tenant_ids: Iterable[int]) -> dict[int, TenantRef]:
    """The TenantRefs of a cross-tenant sweep, in one read. A sweep goes on without an id whose
    tenant row is gone (its rows are orphans): one missing tenant never stops the others."""
    wanted = sorted(set(tenant_ids))
    if not wanted:
        return {}
    rows = await Tenant.select(Tenant.id, Tenant.slug, Tenant.language, Tenant.time_zone).where(
        Tenant.id.is_in(wanted)
    )
    found = {row["id"]: TenantRef(**row) for row in rows}
    missing = [tid for tid in wanted if tid not in found]
    if missing:
        log.warning("sweep skips work of tenants that no longer exist: %s", missing)
    return found
