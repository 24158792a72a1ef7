"""A customer who already has a portal login follows the tenant's redeem link while signed out:
the link leads to the sign-up page, its sign-in link carries ``next=<the redeem path>``, and
after signing in the customer is back on the redemption form of that voucher. A ``next`` that
could lead off the site is dropped: the customer lands on the portal's home page.

Through the Litestar test client; the voucher is bought from the DigiCert sandbox through the
API, like a hosting panel would."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from litestar.testing import AsyncTestClient

from core.context import tenant_scope
from tenants.api_keys import SCOPES, create_api_key
from tests.plugins.digicert.shop import add_digicert, forget_account
from tests.tenants.helpers import staff_context
from tests.web.browser import (
    PASSWORD,
    Shop,
    browser,
    browser_settings,
    csrf_of,
    make_app,
    make_shop,
)

HOSTILE_NEXT = (
    "//evil.com/digicert/redeem",
    "/\\evil.com",
    "https://evil.com/",
    "javascript:alert(1)",
    "%2F%2Fevil.com",
    "/%5Cevil.com",
    "/portal/\r\nSet-Cookie: shomei_session=stolen",
)
SIGN_IN_LINK = re.compile(r'<a href="(/portal/login[^"]*)">')
NEXT_INPUT = re.compile(r'<input type="hidden" name="next" value="([^"]*)">')


@pytest.fixture
def settings(tmp_path, database):
    return browser_settings(tmp_path, database)


@pytest.fixture
def app(settings, upstream):
    return make_app(settings, clock=upstream.clock)


@pytest.fixture
async def shop(settings, upstream) -> AsyncIterator[Shop]:
    """A tenant selling DigiCert vouchers, with one customer login (``customer_email``)."""
    made = await make_shop(upstream.clock)
    digicert = await add_digicert(
        settings, upstream.clock, upstream.api_url, made.tenant, made.owner_id
    )
    yield made
    await forget_account(digicert)


async def voucher_code(client: AsyncTestClient, shop: Shop, clock: Any) -> str:
    with tenant_scope(shop.tenant):
        ctx = staff_context(shop.tenant, shop.owner_id, clock)
        key = await create_api_key(ctx, "panel", list(SCOPES))
    created = await client.post(
        "/api/v1/digicert/voucher-orders/",
        json={
            "payment_method": "bank_transfer",
            "customer_name": "株式会社サンプル",
            "lines": [{"product": "ssl_basic", "quantity": 1, "years": 1, "fqdns": 2}],
        },
        headers={"X-API-Key": key.key, "Idempotency-Key": f"redeem-next-{shop.tenant.id}"},
    )
    assert created.status_code == 201, created.text
    return created.json()["codes"][0]["value"]


async def sign_in_page_from_the_redeem_link(client: AsyncTestClient, code: str) -> str:
    """Follow the redeem link signed out, then the sign-up page's sign-in link."""
    link = await client.get(f"/digicert/redeem?vc={code}")
    assert link.status_code == 303
    signup = await client.get(link.headers["location"])
    assert signup.status_code == 200
    found = SIGN_IN_LINK.search(signup.text)
    assert found, "the sign-up page has no sign-in link"
    return html.unescape(found.group(1))


async def test_signing_in_from_the_redeem_link_comes_back_to_the_redemption_form(
    app, shop, upstream
):
    async with browser(app, shop.host) as client:
        code = await voucher_code(client, shop, upstream.clock)
        client.cookies.clear()
        sign_in_url = await sign_in_page_from_the_redeem_link(client, code)
        redeem_path = f"/digicert/redeem?vc={code}"
        assert parse_qs(urlsplit(sign_in_url).query) == {"next": [redeem_path]}

        page = await client.get(sign_in_url)
        assert page.status_code == 200
        hidden = NEXT_INPUT.search(page.text)
        assert hidden and html.unescape(hidden.group(1)) == redeem_path
        wrong = await client.post(
            "/portal/login",
            data={"email": shop.customer_email, "password": "not the password",
                  "next": redeem_path, "csrf_token": csrf_of(page.text)},
        )  # fmt: skip
        assert wrong.status_code == 400  # refused, and the way back kept on the page
        assert html.unescape(NEXT_INPUT.search(wrong.text).group(1)) == redeem_path
        signed = await client.post(
            "/portal/login",
            data={"email": shop.customer_email, "password": PASSWORD,
                  "next": html.unescape(hidden.group(1)), "csrf_token": csrf_of(wrong.text)},
        )  # fmt: skip
        assert signed.status_code == 303, signed.text
        assert signed.headers["location"] == redeem_path

        form = await client.get(signed.headers["location"])
        assert form.status_code == 200
        assert f'value="{code}"' in form.text  # the voucher's code, ready to redeem
        assert 'name="csr"' in form.text

        # signed in already: the sign-in link goes straight on to the form
        again = await client.get(sign_in_url)
        assert (again.status_code, again.headers["location"]) == (303, redeem_path)


@pytest.mark.parametrize("hostile", HOSTILE_NEXT)
async def test_a_next_leading_off_the_site_lands_on_the_portal_home(app, shop, hostile):
    async with browser(app, shop.host) as client:
        page = await client.get("/portal/login", params={"next": hostile})
        assert page.status_code == 200
        assert 'name="next"' not in page.text  # not carried into the form
        signed = await client.post(
            "/portal/login",
            data={"email": shop.customer_email, "password": PASSWORD, "next": hostile,
                  "csrf_token": csrf_of(page.text)},
        )  # fmt: skip
        assert signed.status_code == 303, signed.text
        assert signed.headers["location"] == "/portal/"
        assert (await client.get("/portal/")).status_code == 200
        again = await client.get("/portal/login", params={"next": hostile})
        assert again.headers["location"] == "/portal/"
