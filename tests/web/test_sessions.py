"""Browser sessions and CSRF: cookie shape, rotation, sign-out, expiry by the clock, tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from core.clock import FrozenClock
from core.context import tenant_scope
from tests.conftest import TEST_SECRET
from tests.web.browser import (
    START,
    browser,
    browser_settings,
    csrf_of,
    make_app,
    make_shop,
    session_cookie,
    sign_in,
    sign_out,
)
from web import csrf
from web.sessions import key_hash, unsign
from web.tables import WebSession


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def app(tmp_path, database, clock):
    return make_app(browser_settings(tmp_path, database), clock=clock)


async def test_cookie_is_signed_httponly_lax_and_holds_only_an_id(app, clock):
    shop = await make_shop(clock)
    async with browser(app, shop.host) as client:
        page = await client.get("/console/login")
        header = page.headers["set-cookie"]
        assert header.startswith("shomei_session=")
        assert "HttpOnly" in header and "SameSite=lax" in header and "Path=/" in header
        assert "Secure" not in header and "Domain" not in header  # http, host-only
        sid = unsign(TEST_SECRET, session_cookie(client))
        assert sid and len(sid) >= 43
        assert unsign(TEST_SECRET, session_cookie(client)[:-2] + "xx") is None


async def test_https_deployment_uses_a_secure_host_cookie(tmp_path, database, clock):
    settings = browser_settings(tmp_path, database, public_url="https://shomei.test")
    shop = await make_shop(clock)
    async with browser(make_app(settings, clock=clock), shop.host) as client:
        header = (await client.get("/console/login")).headers["set-cookie"]
    assert header.startswith("__Host-shomei_session=")
    assert "Secure" in header and "HttpOnly" in header and "SameSite=lax" in header


def _owners_sessions(shop: Any) -> Any:
    """The shop owner's console sessions (a customer of another shop may share the number)."""
    return (
        (WebSession.account_id == shop.owner_id)
        & (WebSession.account_kind == "staff")
        & (WebSession.tenant_id == shop.tenant.id)
    )


async def test_sign_in_rotates_the_id_and_stores_only_its_hash(app, clock):
    shop = await make_shop(clock)
    async with browser(app, shop.host) as client:
        await client.get("/console/login")
        before = session_cookie(client)
        assert (await sign_in(client, "console", shop.owner_email)).status_code == 303
        after = session_cookie(client)
        assert after != before
        sid = unsign(TEST_SECRET, after)
        with tenant_scope(shop.tenant):
            rows = await WebSession.select().where(_owners_sessions(shop))
        assert [r["key_hash"] for r in rows] == [key_hash(sid)]
        assert sid not in str(rows)
        client.cookies.set("shomei_session", before)  # the anonymous id opens nothing
        assert (await client.get("/console/")).status_code == 303


async def test_sign_out_kills_the_session_even_for_a_copied_cookie(app, clock):
    shop = await make_shop(clock)
    async with browser(app, shop.host) as client:
        await sign_in(client, "console", shop.owner_email)
        copied = session_cookie(client)
        assert (await client.get("/console/")).status_code == 200
        assert (await sign_out(client, "console")).status_code == 303
        client.cookies.set("shomei_session", copied)
        assert (await client.get("/console/")).headers["location"] == "/console/login"
    with tenant_scope(shop.tenant):
        assert await WebSession.count().where(_owners_sessions(shop)) == 0


async def test_idle_expiry_by_the_clock(app, clock):
    shop = await make_shop(clock)
    async with browser(app, shop.host) as client:
        await sign_in(client, "console", shop.owner_email)
        clock.advance(timedelta(minutes=29))
        assert (await client.get("/console/")).status_code == 200  # activity renews it
        clock.advance(timedelta(minutes=29))
        assert (await client.get("/console/")).status_code == 200
        clock.advance(timedelta(minutes=30))
        gone = await client.get("/console/")
        assert gone.headers["location"] == "/console/login?notice=expired"
        page = await client.get("/console/login?notice=expired&lang=en")
        assert "Your session has ended" in page.text


async def test_absolute_expiry_despite_activity(app, clock):
    shop = await make_shop(clock)
    async with browser(app, shop.host) as client:
        await sign_in(client, "portal", shop.customer_email)
        for _ in range(35):  # 11 h 40 min of steady use
            clock.advance(timedelta(minutes=20))
            assert (await client.get("/portal/")).status_code == 200
        clock.advance(timedelta(minutes=20))
        assert (await client.get("/portal/")).headers["location"] == "/portal/login?notice=expired"


async def test_form_post_without_the_token_is_refused(app, clock):
    shop = await make_shop(clock)
    async with browser(app, shop.host) as client:
        await client.get("/console/login")
        form = {"email": shop.owner_email, "password": "correct horse battery"}
        refused = await client.post("/console/login?lang=en", data=form)
        assert refused.status_code == 403
        assert "This request was refused" in refused.text
        ja = await client.post("/console/login?lang=ja", data={**form, "csrf_token": "forged"})
        assert ja.status_code == 403
        assert "この操作は受け付けられませんでした" in ja.text
        token = csrf_of((await client.get("/console/login")).text)
        accepted = await client.post("/console/login", data={**form, "csrf_token": token})
        assert accepted.status_code == 303


async def test_token_is_tied_to_the_session(app, clock):
    shop = await make_shop(clock)
    async with browser(app, shop.host) as client:
        old_token = csrf_of((await client.get("/console/login")).text)
        await sign_in(client, "console", shop.owner_email)  # the id rotates: a new token
        refused = await client.post("/console/logout", data={"csrf_token": old_token})
        assert refused.status_code == 403
        assert (await client.get("/console/")).status_code == 200  # still signed in
        client.cookies.clear()
        no_cookie = await client.post("/console/logout", data={"csrf_token": old_token})
        assert no_cookie.status_code == 403


async def test_header_token_is_accepted(app, clock):
    shop = await make_shop(clock)
    async with browser(app, shop.host) as client:
        await sign_in(client, "console", shop.owner_email)
        token = csrf_of((await client.get("/console/")).text)
        out = await client.post("/console/logout", headers={"X-CSRF-Token": token})
        assert out.status_code == 303


def test_exemptions_are_exactly_the_api_and_webhooks():
    assert csrf.EXEMPT_PREFIXES == ("/api/", "/webhooks/")
    assert csrf.is_exempt("/api/v1/orders") and csrf.is_exempt("/webhooks/stripe/acme")
    for path in ("/console/login", "/portal/logout", "/operator/login", "/apix", "/api", "/"):
        assert not csrf.is_exempt(path)


async def test_exempt_prefixes_are_not_checked(app, clock):
    async with browser(app, "shomei.test") as client:
        api = await client.post("/api/v1/quotes", json={})
        assert api.status_code == 401  # refused for the missing API key, not for CSRF
        hook = await client.post("/webhooks/nothing-here", content=b"{}")
        assert hook.status_code in (404, 405)
        page = await client.post("/operator/login", data={})
        assert page.status_code == 403
