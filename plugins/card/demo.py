"""Card payments in the embedded demo, offline: localstripe as a child of ``shomei up``
(``embedded_service``, when the ``localstripe`` package is installed), and the demo tenant's
card account with sandbox keys (``seed_demo_card``).

``shomei up`` sets ``SHOMEI_STRIPE_API_BASE`` to the localstripe it started; the seeder gives the
demo tenant test keys only while that setting is a sandbox (never with Stripe's own address).
"""

from __future__ import annotations

import sys
from pathlib import Path

from core.clock import Clock
from core.context import Actor, Context, tenant_scope
from core.embedded_services import EmbeddedService
from core.settings import STRIPE_API_BASE, get_settings, stripe_api_base
from plugins.card import local_stripe
from plugins.card.sandbox import SANDBOX_PUBLISHABLE_KEY, SANDBOX_SECRET_KEY
from tenants.credentials import Keyring
from tenants.demo import DEMO_SLUG
from tenants.onboarding import tenant_ref
from tenants.provider_accounts import PluginKind, save_account
from tenants.scoping import scoped
from tenants.tables import ProviderAccount, Tenant

SANDBOX_WEBHOOK_SECRET = "whsec_shomei_sandbox"


async def seed_demo_card(clock: Clock) -> list[str]:
    """The demo tenant takes cards through the sandbox, once (a stored account is kept)."""
    if stripe_api_base() == STRIPE_API_BASE:  # read alone: nothing else of the settings yet
        return []
    settings = get_settings()
    line = (
        f"Card payments go to a Stripe sandbox (localstripe) at {settings.stripe_api_base}: "
        "test card 4242 4242 4242 4242"
    )
    tenant = await Tenant.objects().where(Tenant.slug == DEMO_SLUG).first().run()
    if tenant is None:
        return []
    ref = tenant_ref(tenant)
    ctx = Context(tenant=ref, actor=Actor.system("demo"), clock=clock)
    with tenant_scope(ref):
        where = (ProviderAccount.kind == PluginKind.PAYMENT.value) & (
            ProviderAccount.plugin_code == "card"
        )
        if await scoped(ProviderAccount, ctx).objects().where(where).first() is not None:
            return [line]
        await save_account(
            ctx,
            Keyring.from_settings(settings),
            PluginKind.PAYMENT.value,
            "card",
            {"publishable_key": SANDBOX_PUBLISHABLE_KEY},
            {"secret_key": SANDBOX_SECRET_KEY, "webhook_secret": SANDBOX_WEBHOOK_SECRET},
        )
    return [line]


def _command(port: int, _: Path) -> list[str]:
    return [sys.executable, "-m", "plugins.card.local_stripe", "--port", str(port)]


def embedded_service() -> EmbeddedService:
    """localstripe as a child of ``shomei up``, when installed."""
    return EmbeddedService(
        name="localstripe",
        command=_command,
        environment=lambda base: {"SHOMEI_STRIPE_API_BASE": base},
        available=local_stripe.available,
    )
