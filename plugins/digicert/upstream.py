"""The upstream client of a tenant: its ``digicert`` provider account's key and base URL."""

from __future__ import annotations

from core.context import Context
from core.contracts.common import PluginAccount
from core.egress import Egress
from plugins.digicert.client import DEFAULT_BASE_URL, CertCentralClient
from tenants.credentials import Keyring
from tenants.provider_accounts import plugin_account

PROVIDER_CODE = "digicert"


def client_for(account: PluginAccount) -> CertCentralClient:
    """``credentials["api_key"]`` against ``config["base_url"]`` (CertCentral by default), the
    URL a tenant's staff may edit: every request goes through ``account.egress``."""
    return CertCentralClient(
        account.credentials.get("api_key", ""),
        str(account.config.get("base_url") or DEFAULT_BASE_URL),
        egress=account.egress,
    )


async def tenant_client(
    ctx: Context, keyring: Keyring, secret_key: str, public_url: str, egress: Egress
) -> CertCentralClient:
    account = await plugin_account(
        ctx, keyring, "provider", PROVIDER_CODE, secret_key, public_url, egress
    )
    return client_for(account)
