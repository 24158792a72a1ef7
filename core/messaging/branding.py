"""A tenant's branding for e-mail: name, logo, colours, footer, support address.

Tenant settings live in ``tenants/``, which core does not import statically; the loader
(``tenants.branding.mail_brand``: the console's branding page, the uploaded logo as an
absolute address on the tenant's host) is reached by name at runtime (as ``core.plugins``
reaches built-in plugins). When the tenant has no settings row (a tenant id without a tenant,
as in some tests), neutral defaults are used.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from core.colours import ink_for
from core.context import Context
from core.errors import ShomeiError

log = logging.getLogger("shomei.messaging")

SETTINGS_LOADER = "tenants.branding:mail_brand"
LOGO_LOADER = "tenants.branding:logo_data_uri"

DEFAULT_PRIMARY = "#1F3A5F"
DEFAULT_ACCENT = "#C8102E"


@dataclass(frozen=True)
class Branding:
    name: str
    logo_url: str = ""
    primary_colour: str = DEFAULT_PRIMARY
    accent_colour: str = DEFAULT_ACCENT
    footer_text: str = ""
    language: str = "ja"
    support_email: str = ""  # the Reply-To of the tenant's mails and a line of their footer

    @property
    def accent_ink(self) -> str:
        """White or dark button text, whichever reads better on the accent colour."""
        return ink_for(self.accent_colour)


PLATFORM_BRANDING = Branding(name="shomei")
"""The platform's own mails to a company joining it (``MailKind.platform``)."""

BrandingLoader = Callable[[Context], Awaitable[Branding]]


def _settings_loader() -> Callable[[Context], Awaitable[object]]:
    module, _, name = SETTINGS_LOADER.partition(":")
    return getattr(importlib.import_module(module), name)


async def load_branding(ctx: Context) -> Branding:
    """The tenant's branding from its settings, or neutral defaults named after its slug."""
    try:
        found = await _settings_loader()(ctx)
    except ShomeiError as exc:
        log.info("no tenant settings for branding", extra={"reason": str(exc)})
        return Branding(name=ctx.tenant.slug, language=ctx.tenant.language)
    return Branding(
        name=getattr(found, "name", "") or ctx.tenant.slug,
        logo_url=getattr(found, "logo_url", "") or "",
        primary_colour=getattr(found, "primary_colour", "") or DEFAULT_PRIMARY,
        accent_colour=getattr(found, "accent_colour", "") or DEFAULT_ACCENT,
        footer_text=getattr(found, "footer_text", "") or "",
        language=getattr(found, "language", "") or ctx.tenant.language,
        support_email=getattr(found, "support_email", "") or "",
    )


async def load_logo(ctx: Context) -> str:
    """The tenant's uploaded logo as a ``data:`` address for its PDFs (invoices, quotes,
    vouchers), or empty: no logo, or no tenant settings."""
    module, _, name = LOGO_LOADER.partition(":")
    try:
        return await getattr(importlib.import_module(module), name)(ctx)
    except ShomeiError as exc:
        log.info("no tenant logo for a PDF", extra={"reason": str(exc)})
        return ""
