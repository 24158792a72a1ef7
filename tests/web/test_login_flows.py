"""Forced password change, the TOTP step, password reset by e-mail, every page in ja and en."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pyotp
import pytest

from core.clock import FrozenClock
from core.context import tenant_scope
from core.i18n import missing_translations
from core.tables import OutboxEvent
from tenants.credentials import Keyring
from tenants.staff import add_staff
from tenants.totp import begin_enrolment, confirm_enrolment
from tests.conftest import TEST_SECRET
from tests.core.messaging.helpers import opened_links
from tests.tenants.helpers import staff_context, unique
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
    on_host,
    post_form,
    sign_in,
)
from web.mail_outbox import PASSWORD_RESET_REQUESTED

NEW_PASSWORD = "a much better passphrase"
MISSING = re.compile(r"\[(?:web|tenants|core|app|home|nav)\.[a-z0-9_.]+\]")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def app(tmp_path, database, clock):
    return make_app(browser_settings(tmp_path, database), clock=clock)


async def _new_staff(shop, clock, role: str = "support") -> str:
    email = f"{unique('staff')}@example.jp"
    with tenant_scope(shop.tenant):
        await add_staff(
            staff_context(shop.tenant, shop.owner_id, clock), email, "新人", role, PASSWORD
        )
    return email


async def test_password_set_by_an_admin_must_be_changed_before_anything_else(app, clock):
    shop = await make_shop(clock)
    email = await _new_staff(shop, clock)
    async with browser(app, shop.host) as client:
        signed = await sign_in(client, "console", email)
        assert signed.headers["location"] == "/console/password/change"
        assert (await client.get("/console/")).headers["location"] == "/console/password/change"
        page = await client.get("/console/password/change?lang=en")
        assert "no other page opens until you do" in page.text
        mismatch = await post_form(
            client,
            "/console/password/change",
            "/console/password/change",
            {
                "current_password": PASSWORD,
                "new_password": NEW_PASSWORD,
                "new_password_confirm": "something else entirely",
            },
        )
        assert mismatch.status_code == 400
        assert 'aria-describedby="new_password_confirm-error"' in mismatch.text
        short = await post_form(
            client,
            "/console/password/change",
            "/console/password/change",
            {
                "current_password": PASSWORD,
                "new_password": "short",
                "new_password_confirm": "short",
            },
        )
        assert short.status_code == 400
        assert 'id="new_password-error"' in short.text
        before = client.cookies.get("shomei_session")
        done = await post_form(
            client,
            "/console/password/change",
            "/console/password/change",
            {
                "current_password": PASSWORD,
                "new_password": NEW_PASSWORD,
                "new_password_confirm": NEW_PASSWORD,
            },
        )
        assert done.status_code == 303
        assert done.headers["location"].startswith("/console/")
        assert client.cookies.get("shomei_session") != before  # rotated again
        page = await client.get(done.headers["location"] + "&lang=en")
        assert page.status_code == 200
        assert "Support" in page.text
        assert "Your password has been changed." in page.text


async def test_operator_first_login_changes_the_password(app, clock):
    email = await make_operator(clock, must_change=True)
    async with browser(app, BASE) as client:
        assert (await sign_in(client, "operator", email)).headers["location"] == (
            "/operator/password/change"
        )
        done = await post_form(
            client,
            "/operator/password/change",
            "/operator/password/change",
            {
                "current_password": PASSWORD,
                "new_password": NEW_PASSWORD,
                "new_password_confirm": NEW_PASSWORD,
            },
        )
        assert done.status_code == 303
        assert (await client.get("/operator/")).status_code == 200


async def _enable_totp(shop, clock) -> str:
    keyring = Keyring(TEST_SECRET)
    ctx = staff_context(shop.tenant, shop.owner_id, clock)
    with tenant_scope(shop.tenant):
        enrolment = await begin_enrolment(ctx, keyring, shop.owner_id)
        code = pyotp.TOTP(enrolment.secret).at(clock.now())
        await confirm_enrolment(ctx, keyring, shop.owner_id, code)
    return enrolment.secret


async def test_totp_step_for_staff_who_turned_it_on(app, clock):
    shop = await make_shop(clock)
    secret = await _enable_totp(shop, clock)
    clock.advance(timedelta(seconds=90))  # past the enrolment code's step
    async with browser(app, shop.host) as client:
        client.cookies.set("lang", "en")
        first = await sign_in(client, "console", shop.owner_email)
        assert first.headers["location"] == "/console/login/code"
        assert (await client.get("/console/")).headers["location"] == "/console/login/code"
        wrong = await post_form(
            client, "/console/login/code", "/console/login/code", {"totp_code": "000000"}
        )
        assert wrong.status_code == 400
        assert "The verification code is not correct." in wrong.text
        assert 'aria-describedby="totp_code-hint totp_code-error"' in wrong.text
        code = pyotp.TOTP(secret).at(clock.now())
        right = await post_form(
            client, "/console/login/code", "/console/login/code", {"totp_code": code}
        )
        assert right.status_code == 303
        assert right.headers["location"] == "/console/"
        assert (await client.get("/console/")).status_code == 200


async def test_totp_step_expires(app, clock):
    shop = await make_shop(clock)
    secret = await _enable_totp(shop, clock)
    clock.advance(timedelta(seconds=90))
    async with browser(app, shop.host) as client:
        await sign_in(client, "console", shop.owner_email)
        page = await client.get("/console/login/code")
        clock.advance(timedelta(minutes=6))
        code = pyotp.TOTP(secret).at(clock.now())
        late = await client.post(
            "/console/login/code", data={"totp_code": code, "csrf_token": csrf_of(page.text)}
        )
        assert late.headers["location"] == "/console/login?notice=expired"


async def _reset_events(shop) -> list[dict]:
    with tenant_scope(shop.tenant):
        return (
            await OutboxEvent.select()
            .where(
                (OutboxEvent.tenant_id == shop.tenant.id)
                & (OutboxEvent.event_type == PASSWORD_RESET_REQUESTED)
            )
            .output(load_json=True)
        )


async def test_password_reset_by_e_mail(app, clock):
    shop = await make_shop(clock)
    async with browser(app, shop.host) as client:
        client.cookies.set("lang", "en")
        unknown = await post_form(
            client,
            "/portal/password/reset",
            "/portal/password/reset",
            {"email": "nobody@example.jp"},
        )
        known = await post_form(
            client,
            "/portal/password/reset",
            "/portal/password/reset",
            {"email": shop.customer_email},
        )
        assert unknown.status_code == known.status_code == 200
        assert "a link to set a new password is on its way" in known.text
        assert "a link to set a new password is on its way" in unknown.text
        events = await _reset_events(shop)
        assert len(events) == 1
        payload = events[0]["payload"]
        assert payload["to"] == shop.customer_email
        assert payload["language"] == "en"
        assert "reset_url" not in payload and "token=" not in json.dumps(payload)  # sealed
        url = urlsplit(opened_links(payload, shop.tenant.id)["reset_url"])
        assert url.netloc == shop.host and url.path == "/portal/password/reset/confirm"
        token = url.query.removeprefix("token=")
        page = await client.get(f"/portal/password/reset/confirm?{url.query}")
        assert page.status_code == 200
        assert f'value="{token}"' in page.text
        assert page.headers["referrer-policy"] == "no-referrer"
        done = await client.post(
            "/portal/password/reset/confirm",
            data={
                "token": token,
                "new_password": NEW_PASSWORD,
                "new_password_confirm": NEW_PASSWORD,
                "csrf_token": csrf_of(page.text),
            },
        )
        assert done.headers["location"] == "/portal/login?notice=password_reset"
        again = await client.post(
            "/portal/password/reset/confirm",
            data={
                "token": token,
                "new_password": NEW_PASSWORD,
                "new_password_confirm": NEW_PASSWORD,
                "csrf_token": csrf_of(page.text),
            },
        )
        assert again.status_code == 400
        assert "This link has already been used." in again.text
        assert (await sign_in(client, "portal", shop.customer_email, PASSWORD)).status_code == 400
        assert (
            await sign_in(client, "portal", shop.customer_email, NEW_PASSWORD)
        ).status_code == 303


async def test_every_page_renders_in_both_languages(app, clock):
    catalogs = app.state.web.catalogs
    assert missing_translations(catalogs) == {}
    shop = await make_shop(clock)
    staff = await _new_staff(shop, clock, role="read_only")
    operator = await make_operator(clock)
    anonymous = [
        (shop.host, "/console/login"),
        (shop.host, "/console/login?notice=signed_out"),
        (shop.host, "/console/password/reset"),
        (shop.host, "/console/password/reset/confirm?token=abc"),
        (shop.host, "/console/password/reset/confirm"),
        (shop.host, "/portal/login?notice=expired"),
        (shop.host, "/portal/password/reset"),
        (BASE, "/operator/login?notice=password_reset"),
        (f"nowhere.{BASE}", "/portal/login"),
        (shop.host, "/operator/login"),
    ]
    signed_in = [
        (shop.host, "console", staff, ["/console/password/change", "/console/"]),
        (shop.host, "console", shop.owner_email, ["/console/", "/console/password/change"]),
        (shop.host, "portal", shop.customer_email, ["/portal/", "/portal/password/change"]),
        (BASE, "operator", operator, ["/operator/", "/operator/password/change"]),
    ]
    async with browser(app, BASE) as client:  # one client: its loop owns the app's Redis
        for lang in ("ja", "en"):
            for host, path in anonymous:
                on_host(client, host)
                page = await client.get(path + ("&" if "?" in path else "?") + f"lang={lang}")
                assert page.status_code in (200, 404), (path, page.status_code)
                assert f'<html lang="{lang}">' in page.text
                assert not MISSING.findall(page.text), (path, lang, MISSING.findall(page.text))
        for lang in ("ja", "en"):
            for host, area, email, paths in signed_in:
                on_host(client, host)
                client.cookies.clear()
                await sign_in(client, area, email)
                for path in paths:
                    page = await client.get(path, params={"lang": lang})
                    if page.status_code == 303:
                        continue  # the forced change comes first
                    assert page.status_code == 200, (path, page.status_code)
                    assert f'<html lang="{lang}">' in page.text
                    assert not MISSING.findall(page.text), (path, lang, MISSING.findall(page.text))
                refused = await client.post(f"/{area}/logout", params={"lang": lang})
                assert refused.status_code == 403
                assert not MISSING.findall(refused.text)
