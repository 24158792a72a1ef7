"""What a worker process sets up once: settings, plugins and the bound database engine."""

from __future__ import annotations

from celery import current_app

from core import db
from core.context import TenantRef
from core.plugins import piccolo_app_modules
from tenants.tables import Tenant


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
