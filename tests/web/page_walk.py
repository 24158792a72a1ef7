"""The walk over every browser page of the app, shared by the page-wide checks
(``test_every_page_translated.py``: messages and 500s; ``test_form_labels.py``: accessible
names, one ``<h1>``, ``<html lang>``).

The pages are every GET route of the app's route table outside ``/api/`` and ``/webhooks/``
(a new page is walked without editing any test). Path parameters are filled with real ids of
one tenant: the console world of ``tests/web/console/world.py`` (customer, order, quote,
invoice, bank line, staff, API key, webhook delivery, product), a portal entitlement, a hosted
checkout session, and DigiCert objects made against the sandbox (a voucher order placed through
the API, one code redeemed by the customer on the redemption pages). An id parameter this
world cannot fill fails the walk, which then asks to be taught the new kind.

Who asks: ``/console`` pages the tenant's owner, ``/operator`` pages an operator (on the base
domain; the tenant consented to delegated access), every other page the tenant's signed-in
customer on the tenant's host; then a visitor signed in nowhere (the sign-in pages, and the
answer every other page gives them). Each page in Japanese and in English.

A test module uses the fixtures by importing them
(``from tests.web.page_walk import app, settings, token_server, upstream, world``).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from itertools import product
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient

from core.context import tenant_scope
from core.orders.lines import LineInput
from plugins.digicert.tables import DcVoucherCode
from tenants.api_keys import SCOPES, create_api_key
from tenants.delegation import grant_consent
from tests.csr_helpers import make_csr
from tests.plugins.digicert.conftest import token_server, upstream  # noqa: F401  (fixtures)
from tests.plugins.digicert.shop import add_digicert, forget_account
from tests.tenants.helpers import staff_context
from tests.web.browser import (
    BASE,
    browser_settings,
    csrf_of,
    make_app,
    make_operator,
    on_host,
    sign_in,
)
from tests.web.console.world import Sessions, Tenant, make_tenant
from tests.web.portal_certificates.helpers import issued_entitlement
from web.storefront.hosted import SessionRequest, create_session

PARAM = re.compile(r"{(\w+)(?::\w+)?}")
SKIPPED_PREFIXES = ("/api/", "/webhooks/")
"""Machine routes (JSON with API keys, signed webhooks), not pages."""
LANGUAGES = ("ja", "en")
OVERRIDES = {"/console/vouchers/": {"order_id": "voucher_order_id"}}
"""Where a parameter name means another kind of object: path prefix → name → id key."""


@pytest.fixture
def settings(tmp_path, database):
    return browser_settings(tmp_path, database)


@pytest.fixture
def app(settings, upstream):  # noqa: F811
    return make_app(settings, clock=upstream.clock)


@pytest.fixture
async def world(settings, upstream) -> Any:  # noqa: F811
    tenant = await make_tenant(upstream.clock)
    shop = await add_digicert(
        settings, upstream.clock, upstream.api_url, tenant.shop.tenant, tenant.shop.owner_id
    )
    yield tenant
    await forget_account(shop)


def page_routes(app: Any) -> list[str]:
    """The path of every GET route of the app that is a page (not the API, not a webhook)."""
    return sorted(
        route.path
        for route in app.routes
        if "GET" in getattr(route, "methods", set()) and not route.path.startswith(SKIPPED_PREFIXES)
    )


def fill(path: str, ids: dict[str, Any]) -> str:
    overrides = next((o for prefix, o in OVERRIDES.items() if path.startswith(prefix)), {})
    names = [overrides.get(name, name) for name in PARAM.findall(path)]
    unknown = [name for name in names if name not in ids]
    assert not unknown, f"{path}: teach this test to create a {unknown} object"
    values = iter(str(ids[name]) for name in names)
    return PARAM.sub(lambda _: next(values), path)


async def _digicert_objects(
    client: AsyncTestClient, tenant: Tenant, customer: str, clock: Any
) -> dict[str, int]:
    """A voucher order placed through the API and one of its codes redeemed by the customer."""
    shop = tenant.shop
    with tenant_scope(shop.tenant):
        ctx = staff_context(shop.tenant, shop.owner_id, clock)
        key = await create_api_key(ctx, "walk-digicert", list(SCOPES))
    order = {
        "payment_method": "bank_transfer",
        "customer_name": "株式会社サンプル",
        "lines": [{"product": "ssl_basic", "quantity": 2, "years": 1, "fqdns": 2}],
    }
    created = await client.post(
        "/api/v1/digicert/voucher-orders/", json=order,
        headers={"X-API-Key": key.key, "Idempotency-Key": f"walk-voucher-{shop.tenant.id}"},
    )  # fmt: skip
    assert created.status_code == 201, created.text
    voucher = created.json()
    code = voucher["codes"][0]["value"]
    client.cookies.clear()
    client.cookies.set("shomei_session", customer)
    form = await client.get(f"/digicert/redeem?vc={code}")
    redeemed = await client.post(
        "/digicert/redeem",
        data={
            "code": code, "organization_name": "お客様株式会社", "dcv_method": "email",
            "csr": make_csr("www.shop.test", ("www.shop.test",)), "csrf_token": csrf_of(form.text),
        },
    )  # fmt: skip
    assert redeemed.status_code == 303, redeemed.text
    with tenant_scope(shop.tenant):
        codes = await DcVoucherCode.select(DcVoucherCode.id).where(
            DcVoucherCode.voucher_order_id == voucher["id"]
        )
    return {
        "voucher_order_id": voucher["id"],
        "code_id": codes[0]["id"],
        "redemption_id": int(redeemed.headers["location"].rsplit("/", 1)[1]),
    }


async def _signed_in(client: AsyncTestClient, area: str, email: str) -> str:
    client.cookies.clear()
    signed = await sign_in(client, area, email)
    assert signed.status_code == 303, signed.text
    return client.cookies.get("shomei_session") or ""


@dataclass(frozen=True)
class Visit:
    """One GET of the walk: the route's path, the filled URL, who asked and the answer."""

    path: str
    url: str
    lang: str
    signed_in: bool
    response: httpx.Response

    @property
    def where(self) -> str:
        who = "signed in" if self.signed_in else "visitor"
        return f"GET {self.url} ({self.lang}, {who}): {self.response.status_code}"

    @property
    def is_html(self) -> bool:
        return self.response.headers.get("content-type", "").startswith("text/html")


@dataclass
class Walk:
    """The world of the walk (made by ``start_walk``) and the sessions that ask."""

    client: AsyncTestClient
    world: Tenant
    ids: dict[str, Any]
    customer: str
    operator: str
    staff: Sessions = field(repr=False)

    async def visits(self, app: Any) -> AsyncIterator[Visit]:
        """Every page, in both languages, signed in (by its area's person) and as a visitor."""
        client, host = self.client, self.world.shop.host
        for path in page_routes(app):
            url = fill(path, self.ids)
            for lang, signed_in in product(LANGUAGES, (True, False)):
                on_host(client, BASE if path.startswith("/operator") else host)
                client.cookies.clear()
                if not signed_in:
                    pass  # the sign-in pages themselves, and what a visitor gets elsewhere
                elif path.startswith("/operator"):
                    client.cookies.set("shomei_session", self.operator)
                elif path.startswith("/console"):
                    await self.staff.as_staff(self.world, "owner")
                else:
                    client.cookies.set("shomei_session", self.customer)
                response = await client.get(url, params={"lang": lang})
                yield Visit(path, url, lang, signed_in, response)


async def start_walk(client: AsyncTestClient, settings: Any, world: Tenant, clock: Any) -> Walk:
    """Make the objects whose ids fill the paths and sign in the people who ask."""
    shop = world.shop
    owner_ctx = staff_context(shop.tenant, shop.owner_id, clock)
    with tenant_scope(shop.tenant):
        await grant_consent(owner_ctx, 7)
        checkout = await create_session(
            owner_ctx,
            settings,
            None,
            SessionRequest(
                (LineInput(world.ids["product_id"], quantity=1, term_months=12),),
                "https://panel.example.jp/done",
                "https://panel.example.jp/back",
            ),
        )
    operator = await make_operator(clock)
    entitlement = await issued_entitlement(shop, world.ids["customer_id"], clock.now())
    on_host(client, shop.host)
    customer = await _signed_in(client, "portal", shop.customer_email)
    ids: dict[str, Any] = {
        **world.ids,
        **await _digicert_objects(client, world, customer, clock),
        "entitlement_id": entitlement,
        "public_id": checkout.id,
        "tenant_id": shop.tenant.id,
        "tenant_slug": shop.tenant.slug,
        "file_path": "shomei.css",
        "kind": "provider",
        "code": "digicert",
        "version": "0123456789abcdef",  # a logo version (/brand/logo/{version})
    }
    on_host(client, BASE)
    operator_session = await _signed_in(client, "operator", operator)
    return Walk(client, world, ids, customer, operator_session, Sessions(client))
