"""The console's settings pages (staff, API keys, providers and payments, webhooks, products,
branding),
listed once for ``web.console.routes``."""

from __future__ import annotations

from litestar import Controller

from web.branding.console import ConsoleBranding
from web.console.api_keys import ConsoleApiKeys
from web.console.providers import ConsoleProviders
from web.console.settings_products import ConsoleProducts
from web.console.staff import ConsoleStaff
from web.console.webhooks import ConsoleWebhooks

SETTINGS_CONTROLLERS: list[type[Controller]] = [
    ConsoleStaff,
    ConsoleApiKeys,
    ConsoleProviders,
    ConsoleWebhooks,
    ConsoleProducts,
    ConsoleBranding,
]
