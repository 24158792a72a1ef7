"""Absolute links into a tenant's own pages, for mails and webhooks written outside a request.

A tenant is served on ``<slug>.<host of PUBLIC_URL>`` (``tenants.resolution``), so every link
a customer receives goes there: the bare public host has no tenant and answers 404.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def default_public_url() -> str:
    """The process's ``PUBLIC_URL`` (read when a mail is built, not at import)."""
    from core.settings import get_settings

    return get_settings().public_url


def tenant_url(public_url: str, slug: str, path: str) -> str:
    """``<scheme>://<slug>.<public host>[:port]<path>``; without a public URL (a test's job),
    the bare path."""
    parts = urlsplit(public_url)
    if not parts.scheme or not parts.hostname:
        return path
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{slug}.{parts.hostname}{port}{path}"


def certificate_page(public_url: str, slug: str, entitlement_id: int) -> str:
    """The entitlement's page in the customer portal (renew, download, reissue)."""
    return tenant_url(public_url, slug, f"/portal/certificates/{entitlement_id}")
