"""Which tenant a request is for: by host name (custom domain or ``<slug>.<base domain>``), or
by API key (``tenants.api_keys.authenticate``)."""

from __future__ import annotations

from urllib.parse import urlsplit

from core.context import TenantRef
from core.settings import Settings
from tenants.errors import refuse
from tenants.onboarding import tenant_ref
from tenants.tables import Tenant, TenantStatus
from tenants.validation import normalise_host


def base_domain(settings: Settings) -> str:
    """The domain tenants' subdomains hang under: the host of the public URL."""
    return normalise_host(urlsplit(settings.public_url).hostname or "")


async def resolve_host(host: str, base: str, *, allow_inactive: bool = False) -> TenantRef:
    """The tenant serving ``host``; refused (``host`` field) when unknown or not active.

    ``allow_inactive`` lets a pending or suspended tenant's staff reach their own console.
    """
    name = normalise_host(host)
    base = normalise_host(base)
    row = None
    if base and name.endswith("." + base):
        label = name[: -len(base) - 1]
        if label and "." not in label:
            row = await Tenant.objects().where(Tenant.slug == label).first()
    if row is None and name:
        row = await Tenant.objects().where(Tenant.custom_domain == name).first()
    if row is None:
        refuse("host", "tenants.host_unknown", host=name)
    if row.status != TenantStatus.ACTIVE.value and not allow_inactive:
        refuse("host", "tenants.tenant_not_active", host=name)
    return tenant_ref(row)
