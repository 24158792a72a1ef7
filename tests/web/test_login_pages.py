"""Sign-in pages of the console, the portal and the operator area, on real databases."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.clock import FrozenClock
from tests.web.browser import (
    BASE,
    PASSWORD,
    START,
    browser,
    browser_settings,
    make_app,
    make_operator,
    make_shop,
    on_host,
    sign_in,
    sign_out,
)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def app(tmp_path, database, clock):
    return make_app(browser_settings(tmp_path, database), clock=clock)


async def test_staff_signs_in_sees_the_dashboard_and_signs_out(app, clock):
    shop = await make_shop(clock)
    async with browser(app, shop.host) as client:
        signed = await sign_in(client, "console", shop.owner_email)
        assert signed.status_code == 303, signed.text
        assert signed.headers["location"] == "/console/"
        page = await client.get("/console/?lang=en")
        assert page.status_code == 200
        assert "テストホスティング" in page.text  # the tenant's name
        assert "Owner" in page.text
        assert "do not exist yet" not in page.text  # no page promises what is not there
        out = await sign_out(client, "console")
        assert out.status_code == 303
        assert out.headers["location"] == "/console/login?notice=signed_out"
        again = await client.get("/console/")
        assert again.status_code == 303
        assert again.headers["location"] == "/console/login"


async def test_customer_signs_in_to_the_portal_and_out(app, clock):
    shop = await make_shop(clock)
    async with browser(app, shop.host) as client:
        signed = await sign_in(client, "portal", shop.customer_email)
        assert signed.status_code == 303, signed.text
        assert signed.headers["location"] == "/portal/"
        page = await client.get("/portal/?lang=ja")
        assert "お客様株式会社" in page.text
        assert "購入 花子" in page.text
        assert (await sign_out(client, "portal")).status_code == 303
        assert (await client.get("/portal/")).status_code == 303


async def test_staff_cannot_use_the_portal_nor_customers_the_console(app, clock):
    shop = await make_shop(clock)
    async with browser(app, shop.host) as client:
        assert (await sign_in(client, "portal", shop.owner_email)).status_code == 400
        assert (await sign_in(client, "console", shop.customer_email)).status_code == 400


async def test_operator_signs_in_on_the_base_domain_only(app, clock):
    email = await make_operator(clock)
    async with browser(app, BASE) as client:
        signed = await sign_in(client, "operator", email)
        assert signed.status_code == 303, signed.text
        page = await client.get("/operator/?lang=en")
        assert page.status_code == 200
        assert "運営 一郎" in page.text
        assert (await sign_out(client, "operator")).status_code == 303
        assert (await client.get("/operator/")).status_code == 303
        shop = await make_shop(clock)
        on_host(client, shop.host)
        refused = await client.get("/operator/login?lang=en")
        assert refused.status_code == 404
        assert "not served at" in refused.text


@pytest.mark.parametrize(
    ("lang", "message", "label"),
    [
        ("ja", "メールアドレスまたはパスワードが正しくありません。", "メールアドレス"),
        ("en", "The e-mail address or password is not correct.", "E-mail address"),
    ],
)
async def test_wrong_password_names_the_field_keeps_the_email(app, clock, lang, message, label):
    shop = await make_shop(clock)
    async with browser(app, shop.host) as client:
        client.cookies.set("lang", lang)
        refused = await sign_in(client, "console", shop.owner_email, "wrong password here")
        assert refused.status_code == 400
        html = refused.text
        assert message in html
        assert f'<label for="email">{label}</label>' in html
        assert f'value="{shop.owner_email}"' in html
        assert 'aria-describedby="email-error"' in html
        assert 'id="email-error"' in html
        assert 'aria-invalid="true"' in html
        assert "wrong password here" not in html
        assert f'<html lang="{lang}">' in html


async def test_empty_fields_are_named_next_to_each_field(app, clock):
    shop = await make_shop(clock)
    async with browser(app, shop.host) as client:
        refused = await sign_in(client, "console", "", "", params={"lang": "en"})
        assert refused.status_code == 400
        assert 'id="email-error"' in refused.text
        assert 'id="password-error"' in refused.text
        assert "This field is required." in refused.text


async def test_unknown_host_is_a_clear_404_in_both_languages(app):
    async with browser(app, f"nobody.{BASE}") as client:
        ja = await client.get("/console/login?lang=ja")
        en = await client.get("/portal/login?lang=en")
    assert ja.status_code == en.status_code == 404
    assert "ページが見つかりません" in ja.text
    assert f"No tenant is served at nobody.{BASE}" in en.text


async def test_staff_of_tenant_a_cannot_sign_in_on_tenant_b(app, clock):
    first, second = await make_shop(clock), await make_shop(clock)
    async with browser(app, second.host) as client:
        refused = await sign_in(client, "console", first.owner_email, params={"lang": "en"})
        assert refused.status_code == 400
        assert "The e-mail address or password is not correct." in refused.text
        on_host(client, first.host)
        assert (await sign_in(client, "console", first.owner_email)).status_code == 303
        cookie = client.cookies.get("shomei_session", domain=first.host)
        on_host(client, second.host)  # tenant A's session cookie carried to B's host
        client.cookies.set("shomei_session", cookie, domain=second.host)
        assert (await client.get("/console/")).headers["location"] == "/console/login"


async def test_throttled_then_locked(app, clock):
    shop = await make_shop(clock)
    async with browser(app, shop.host) as client:
        client.cookies.set("lang", "en")
        for _ in range(3):
            assert (
                await sign_in(client, "console", shop.owner_email, "bad password")
            ).status_code == 400
        slowed = await sign_in(client, "console", shop.owner_email, "bad password")
        assert slowed.status_code == 429
        assert "Too many sign-in attempts" in slowed.text
        clock.advance(timedelta(seconds=61))
        for _ in range(2):
            last = await sign_in(client, "console", shop.owner_email, "bad password")
        assert last.status_code == 400
        assert "This account is locked until" in last.text
        clock.advance(timedelta(seconds=61))
        right = await sign_in(client, "console", shop.owner_email, PASSWORD)
        assert right.status_code == 400
        assert "This account is locked until" in right.text
        clock.advance(timedelta(minutes=15))
        assert (await sign_in(client, "console", shop.owner_email, PASSWORD)).status_code == 303
