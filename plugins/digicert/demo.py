"""A tenant set up to resell DigiCert: provider account, products, the operator's price table
and contract (``set_up_reseller``); and the embedded demo's use of it (``seed_demo_digicert``).

``shomei up`` runs the CertCentral sandbox (``plugins.digicert.sandbox``) as a child process on
a free loopback port (``embedded_service``) and names its API in ``SHOMEI_DIGICERT_SANDBOX_URL``;
the demo seeder then gives the demo tenant an account pointed at it, the demo products with
retail prices, and a pay-as-you-go contract with DigiCert Japan (the operator's part, done here
as the system), so the demo shop sells on first start. Without that variable (a deployment
that did not start the sandbox) the seeder does nothing.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from core.billing.models import BankAccount, Issuer
from core.catalog.products import ProductView, save_product
from core.catalog.retail import Markup, MarkupKind, set_retail_price
from core.catalog.wholesale import import_price_table, wholesale_price
from core.clock import Clock
from core.context import Actor, Context, tenant_scope
from core.contracts.common import Price, ProductSpec
from core.embedded_services import EmbeddedService
from core.settings import get_settings
from plugins.digicert.contracts import set_contract
from plugins.digicert.upstream import PROVIDER_CODE
from tenants.credentials import Keyring
from tenants.demo import DEMO_SLUG
from tenants.jsonvalues import as_dict
from tenants.onboarding import tenant_ref
from tenants.provider_accounts import ProviderAccountView, save_account
from tenants.scoping import scoped
from tenants.tables import ProviderAccount, Tenant

SANDBOX_URL_VARIABLE = "SHOMEI_DIGICERT_SANDBOX_URL"
SANDBOX_API_KEY = "sandbox-devkey"
"""The sandbox's API key as ``shomei up`` starts it (``python -m plugins.digicert.sandbox``)."""
LOOPBACK = "http://127.0.0.1:"

ISSUER = Issuer(
    name="デジサート・ジャパン合同会社",
    registration_number="T7000012050002",
    postal_code="104-0061",
    address="東京都中央区銀座6-10-1 GINZA SIX 8階",
    phone="03-4560-3971",
    email="billing@example.jp",
)
BANK = BankAccount(
    bank_name="三井住友銀行",
    branch_name="ツバキ支店",
    branch_code="879",
    account_type="当座",
    account_number="0249302",
    account_holder="デジサートジャパン(ド",
)


@dataclass(frozen=True)
class ResoldProduct:
    spec: ProductSpec
    wholesale_name: str


BASIC_OV = ResoldProduct(
    ProductSpec(
        code="ssl_basic", name_ja="ベーシックOV", name_en="Basic OV", kind="ssl",
        validation="ov", terms_months=(12, 24), max_fqdns=250, max_wildcards=250,
    ),
    "Basic OV",
)  # fmt: skip
GEOTRUST_DV = ResoldProduct(
    ProductSpec(
        code="ssl_dv_geotrust", name_ja="ジオトラスト スタンダードDV",
        name_en="GeoTrust Standard DV", kind="ssl", validation="dv", terms_months=(12,),
        max_fqdns=250, max_wildcards=250,
    ),
    "GeoTrust Standard DV",
)  # fmt: skip
BASIC_OV_PRICE_TABLE = (
    "製品名,定価,割引率,提供価格,年数,種別,製品コード\n"
    "Basic OV,20000,0.0,17600,1,base,ssl_basic\n"
    "Basic OV,20000,0.0,26400,1,additional_fqdn,ssl_basic\n"
    "Basic OV,20000,0.0,93120,1,wildcard,ssl_basic\n"
    "Basic OV,40000,0.0,24800,2,base,ssl_basic\n"
    "Basic OV,40000,0.0,52000,2,additional_fqdn,ssl_basic\n"
    "Basic OV,40000,0.0,168960,2,wildcard,ssl_basic\n"
)
"""Wholesale prices (DigiCert Japan's 価格表 format, ``core.catalog.price_csv``) of Basic OV."""
DEMO_PRICE_TABLE = BASIC_OV_PRICE_TABLE + (
    "GeoTrust Standard DV,11800,0.2,9440,1,base,ssl_dv_geotrust\n"
    "GeoTrust Standard DV,19500,0.2,15600,1,additional_fqdn,ssl_dv_geotrust\n"
    "GeoTrust Standard DV,104100,0.2,83280,1,wildcard,ssl_dv_geotrust\n"
)
DEMO_MARKUP = Markup(MarkupKind.PERCENT, 2500, round_to=100)
"""The demo shop's retail prices: wholesale plus 25 %, rounded up to 100 yen."""


async def set_up_reseller(
    ctx: Context,
    keyring: Keyring,
    api_url: str,
    api_key: str,
    contract_end: date,
    products: tuple[ResoldProduct, ...] = (BASIC_OV,),
    price_table: str = BASIC_OV_PRICE_TABLE,
) -> tuple[ProviderAccountView, list[ProductView]]:
    """In ``ctx``'s tenant scope: the DigiCert account at ``api_url``, ``products``, and the
    operator's part (``ctx`` must be an operator or the system): the price table in force until
    ``contract_end`` and a pay-as-you-go contract with DigiCert Japan, NET30EOM."""
    account = await save_account(
        ctx, keyring, "provider", PROVIDER_CODE, {"base_url": api_url}, {"api_key": api_key}
    )
    saved = [
        await save_product(ctx, account.id, PROVIDER_CODE, p.spec, wholesale_name=p.wholesale_name)
        for p in products
    ]
    await import_price_table(ctx, account.id, contract_end, price_table.encode())
    await set_contract(ctx, account.id, "pay_as_you_go", ISSUER, BANK, "NET30EOM", 0)
    return account, saved


async def set_retail_prices(ctx: Context, products: list[ProductView], markup: Markup) -> None:
    """An explicit retail price for every term of ``products``: ``markup`` over each wholesale
    amount (base, per additional FQDN, per wildcard)."""
    for product in products:
        for term in product.terms_months:
            wholesale = await wholesale_price(ctx, product, term)
            if wholesale is None:
                continue
            retail = Price(
                markup.apply(wholesale.base),
                markup.apply(wholesale.per_additional_fqdn),
                markup.apply(wholesale.per_wildcard),
            )
            await set_retail_price(ctx, product.id, term, retail)


async def seed_demo_digicert(clock: Clock) -> list[str]:
    """The demo tenant resells DigiCert through the sandbox ``shomei up`` started, once."""
    api_url = os.environ.get(SANDBOX_URL_VARIABLE, "").strip()
    if not api_url:
        return []
    line = f"DigiCert sandbox (the demo's certificate upstream): {api_url}"
    tenant = await Tenant.objects().where(Tenant.slug == DEMO_SLUG).first().run()
    if tenant is None:
        return []
    ref = tenant_ref(tenant)
    ctx = Context(tenant=ref, actor=Actor.system("demo"), clock=clock)
    keyring = Keyring.from_settings(get_settings())
    with tenant_scope(ref):
        where = (ProviderAccount.kind == "provider") & (
            ProviderAccount.plugin_code == PROVIDER_CODE
        )
        existing = await scoped(ProviderAccount, ctx).objects().where(where).first()
        if existing is not None:
            # kept as the staff left it, but a sandbox address follows the sandbox's new port
            settings = as_dict(existing.settings)
            old = str(settings.get("base_url", ""))
            if old != api_url and old.startswith(LOOPBACK):
                await save_account(
                    ctx, keyring, "provider", PROVIDER_CODE, {**settings, "base_url": api_url},
                    None, existing.enabled,
                )  # fmt: skip
            return [line]
        end = clock.now().date() + timedelta(days=366)
        _, products = await set_up_reseller(
            ctx, keyring, api_url, SANDBOX_API_KEY, end, (BASIC_OV, GEOTRUST_DV), DEMO_PRICE_TABLE
        )
        await set_retail_prices(ctx, products, DEMO_MARKUP)
    return [line]


def _sandbox_command(port: int, var_dir: Path) -> list[str]:
    return [
        sys.executable, "-m", "plugins.digicert.sandbox", "--port", str(port),
        "--state-dir", str(var_dir / "digicert-sandbox"), "--api-key", SANDBOX_API_KEY,
    ]  # fmt: skip


def embedded_service() -> EmbeddedService:
    """The CertCentral sandbox as a child of ``shomei up``."""
    return EmbeddedService(
        name="digicert-sandbox",
        command=_sandbox_command,
        environment=lambda base: {SANDBOX_URL_VARIABLE: f"{base}/services/v2"},
    )
