"""``?next=`` of the sign-in pages of every area: carried through the TOTP step and the forced
password change, followed once signed in, and dropped when it could lead off the site."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest

from core.clock import FrozenClock
from tests.web.browser import (
    BASE,
    PASSWORD,
    START,
    browser,
    browser_settings,
    csrf_of,
    make_app,
    make_operator,
    make_shop,
)
from tests.web.test_login_flows import NEW_PASSWORD, _enable_totp

NEXT_INPUT = re.compile(r'<input type="hidden" name="next" value="([^"]*)">')


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def app(tmp_path, database, clock):
    return make_app(browser_settings(tmp_path, database), clock=clock)


def hidden_next(page: str) -> str:
    found = NEXT_INPUT.search(page)
    assert found, "no next on the page"
    return html.unescape(found.group(1))


async def test_staff_with_totp_come_back_to_the_page_they_asked_for(app, clock):
    shop = await make_shop(clock)
    secret = await _enable_totp(shop, clock)
    clock.advance(timedelta(seconds=90))
    wanted = "/console/orders?state=paid"
    async with browser(app, shop.host) as client:
        page = await client.get("/console/login", params={"next": wanted})
        assert hidden_next(page.text) == wanted
        first = await client.post(
            "/console/login",
            data={"email": shop.owner_email, "password": PASSWORD, "next": wanted,
                  "csrf_token": csrf_of(page.text)},
        )  # fmt: skip
        code_url = first.headers["location"]
        assert urlsplit(code_url).path == "/console/login/code"
        assert parse_qs(urlsplit(code_url).query) == {"next": [wanted]}
        code_page = await client.get(code_url)
        assert hidden_next(code_page.text) == wanted
        wrong = await client.post(
            "/console/login/code",
            data={"totp_code": "000000", "next": wanted, "csrf_token": csrf_of(code_page.text)},
        )
        assert wrong.status_code == 400 and hidden_next(wrong.text) == wanted
        right = await client.post(
            "/console/login/code",
            data={"totp_code": pyotp.TOTP(secret).at(clock.now()), "next": wanted,
                  "csrf_token": csrf_of(wrong.text)},
        )  # fmt: skip
        assert right.status_code == 303
        assert right.headers["location"] == wanted
        assert (await client.get(wanted)).status_code == 200


async def test_a_forced_password_change_then_goes_on_to_next(app, clock):
    email = await make_operator(clock, must_change=True)
    wanted = "/operator/tenants"
    async with browser(app, BASE) as client:
        page = await client.get("/operator/login", params={"next": wanted})
        signed = await client.post(
            "/operator/login",
            data={"email": email, "password": PASSWORD, "next": hidden_next(page.text),
                  "csrf_token": csrf_of(page.text)},
        )  # fmt: skip
        change_url = signed.headers["location"]
        assert change_url == "/operator/password/change?next=%2Foperator%2Ftenants"
        change = await client.get(change_url)
        done = await client.post(
            "/operator/password/change",
            data={"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                  "new_password_confirm": NEW_PASSWORD, "next": hidden_next(change.text),
                  "csrf_token": csrf_of(change.text)},
        )  # fmt: skip
        assert (done.status_code, done.headers["location"]) == (303, wanted)


@pytest.mark.parametrize("hostile", ["//evil.com", "https://evil.com", "/%5Cevil.com"])
async def test_a_hostile_next_gives_the_home_page_in_every_step(app, clock, hostile):
    shop = await make_shop(clock)
    secret = await _enable_totp(shop, clock)
    clock.advance(timedelta(seconds=90))
    async with browser(app, shop.host) as client:
        page = await client.get("/console/login", params={"next": hostile})
        assert 'name="next"' not in page.text
        first = await client.post(
            "/console/login",
            data={"email": shop.owner_email, "password": PASSWORD, "next": hostile,
                  "csrf_token": csrf_of(page.text)},
        )  # fmt: skip
        assert first.headers["location"] == "/console/login/code"
        code_page = await client.get("/console/login/code", params={"next": hostile})
        assert 'name="next"' not in code_page.text
        right = await client.post(
            "/console/login/code",
            data={"totp_code": pyotp.TOTP(secret).at(clock.now()), "next": hostile,
                  "csrf_token": csrf_of(code_page.text)},
        )  # fmt: skip
        assert right.headers["location"] == "/console/"


async def test_paying_signed_out_signs_in_and_comes_back_to_the_payment_page(app, clock):
    shop = await make_shop(clock)
    async with browser(app, shop.host) as client:
        asked = await client.get("/shop/orders/4242/pay")
        assert asked.headers["location"] == "/portal/login?next=%2Fshop%2Forders%2F4242%2Fpay"
        page = await client.get(asked.headers["location"])
        signed = await client.post(
            "/portal/login",
            data={"email": shop.customer_email, "password": PASSWORD,
                  "next": hidden_next(page.text), "csrf_token": csrf_of(page.text)},
        )  # fmt: skip
        assert signed.headers["location"] == "/shop/orders/4242/pay"


async def test_a_signed_out_deep_link_comes_back_after_sign_in(app, clock):
    """A bookmarked console page (a link in a mail) sends a signed-out person to sign in with
    ``next`` set to it, and signing in lands there; the home page adds no ``next``."""
    shop = await make_shop(clock)
    wanted = "/console/orders?state=paid"
    async with browser(app, shop.host) as client:
        asked = await client.get(wanted)
        assert asked.status_code == 303
        location = urlsplit(asked.headers["location"])
        assert location.path == "/console/login"
        assert parse_qs(location.query)["next"] == [wanted]
        page = await client.get(asked.headers["location"])
        assert hidden_next(page.text) == wanted
        signed = await client.post(
            "/console/login",
            data={"email": shop.owner_email, "password": PASSWORD, "next": wanted,
                  "csrf_token": csrf_of(page.text)},
        )  # fmt: skip
        assert signed.headers["location"] == wanted
        assert (await client.get(wanted)).status_code == 200
    async with browser(app, shop.host) as client:
        assert (await client.get("/console/")).headers["location"] == "/console/login"
