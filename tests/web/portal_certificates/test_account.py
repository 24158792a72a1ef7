"""The portal's account pages: company details and the four contacts (validated, the field
named, input kept), the password change (the current password is required), and the sign-in
e-mail change, which happens only once the link mailed to the new address is followed."""

from __future__ import annotations

import re

import pytest

from core.clock import FrozenClock
from core.context import Actor, Context, tenant_scope
from core.messaging.mail_events import mail_handlers
from core.messaging.mailer import Mailer
from core.outbox_relay import deliver_pending
from core.plugins import build_plugin_manager
from tenants.customers import contacts
from tenants.tables import Customer, CustomerUser
from tests.conftest import make_settings
from tests.core.messaging.helpers import SmtpServer
from tests.web.browser import (
    PASSWORD,
    START,
    browser,
    browser_settings,
    csrf_of,
    make_app,
    make_shop,
    post_form,
    sign_in,
    sign_out,
)
from tests.web.portal_certificates.helpers import shop_customer_id

MISSING_ID = re.compile(r"\[[a-z_]+(\.[a-z_0-9]+)+\]")
NEW_PASSWORD = "another long passphrase 42"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def app(tmp_path, database, clock):
    return make_app(browser_settings(tmp_path, database), clock=clock)


@pytest.fixture
async def shop(clock):
    return await make_shop(clock)


async def test_account_page_in_both_languages(app, shop):
    async with browser(app, shop.host) as client:
        assert (await sign_in(client, "portal", shop.customer_email)).status_code == 303
        for lang, words in (("ja", ("技術担当者", "契約責任者")), ("en", ("Technical contact",))):
            page = await client.get("/portal/account", params={"lang": lang})
            assert page.status_code == 200
            assert f'<html lang="{lang}">' in page.text
            assert all(word in page.text for word in words)
            assert "お客様株式会社" in page.text and shop.customer_email in page.text
            assert 'href="/portal/password/change"' in page.text
            assert not MISSING_ID.search(page.text), lang


async def test_company_and_contacts_are_checked_with_the_field_named(app, shop):
    customer_id = await shop_customer_id(shop)
    async with browser(app, shop.host) as client:
        await sign_in(client, "portal", shop.customer_email)
        company = {
            "organization_name": "お客様ホールディングス株式会社",
            "postal_code": "12-34",
            "prefecture": "東京都",
            "address": "千代田区丸の内2-2-2",
            "phone": "03-9999-0000",
        }
        refused = await post_form(
            client, "/portal/account?lang=en", "/portal/account/company", company
        )
        assert refused.status_code == 400
        assert 'id="postal_code-error"' in refused.text
        assert "お客様ホールディングス株式会社" in refused.text  # kept
        saved = await post_form(
            client,
            "/portal/account",
            "/portal/account/company",
            {**company, "postal_code": "100-0005"},
        )
        assert saved.status_code == 303
        with tenant_scope(shop.tenant):
            row = await Customer.select().where(Customer.id == customer_id).first().run()
        assert row["organization_name"] == "お客様ホールディングス株式会社"
        assert row["postal_code"] == "100-0005"

        contact = {
            "role": "technical",
            "technical-name": "技術 次郎",
            "technical-department": "情報システム部",
            "technical-email": "not-an-address",
            "technical-phone": "03-1111-2222",
        }
        bad = await post_form(client, "/portal/account", "/portal/account/contact", contact)
        assert bad.status_code == 400
        assert 'id="technical-email-error"' in bad.text and "not-an-address" in bad.text
        good = await post_form(
            client,
            "/portal/account",
            "/portal/account/contact",
            {**contact, "technical-email": "gijutsu@example.jp"},
        )
        assert good.status_code == 303
        ctx = Context(shop.tenant, Actor.system("test"), FrozenClock(START))
        with tenant_scope(shop.tenant):
            stored = await contacts(ctx, customer_id)
        assert stored["technical"].email == "gijutsu@example.jp"
        assert stored["technical"].department == "情報システム部"


async def test_password_change_requires_the_current_password(app, shop):
    async with browser(app, shop.host) as client:
        await sign_in(client, "portal", shop.customer_email)
        form = {"new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD}
        for current in ("", "a wrong password 123"):
            refused = await post_form(
                client,
                "/portal/password/change?lang=en",
                "/portal/password/change",
                {**form, "current_password": current},
            )
            assert refused.status_code == 400
            assert 'id="current_password-error"' in refused.text
        changed = await post_form(
            client,
            "/portal/password/change",
            "/portal/password/change",
            {**form, "current_password": PASSWORD},
        )
        assert changed.status_code == 303
        await sign_out(client, "portal")
        assert (await sign_in(client, "portal", shop.customer_email)).status_code != 303
        new = await sign_in(client, "portal", shop.customer_email, NEW_PASSWORD)
        assert new.status_code == 303


async def _login_email(shop) -> str:
    with tenant_scope(shop.tenant):
        row = await (
            CustomerUser.select(CustomerUser.email)
            .where(CustomerUser.id == shop.customer_user_id)
            .first()
            .run()
        )
    return row["email"]


async def test_email_changes_only_after_the_mailed_token(app, shop, clock, tmp_path, database):
    smtp = SmtpServer().start()
    try:
        async with browser(app, shop.host) as client:
            await sign_in(client, "portal", shop.customer_email)
            taken = await post_form(
                client,
                "/portal/account?lang=en",
                "/portal/account/email",
                {"new_email": shop.customer_email},
            )
            assert taken.status_code == 400 and 'id="new_email-error"' in taken.text
            asked = await post_form(
                client,
                "/portal/account?lang=ja",
                "/portal/account/email",
                {"new_email": "New.Person@Example.JP"},
            )
            assert asked.status_code == 303
            assert await _login_email(shop) == shop.customer_email  # nothing changed yet

            settings = make_settings(tmp_path / "mailvar", database, smtp_url=smtp.url)
            mailer = Mailer.from_settings(settings, build_plugin_manager(load_entrypoints=False))
            with tenant_scope(shop.tenant):
                report = await deliver_pending(shop.tenant, mail_handlers(lambda: mailer), clock)
            assert not report.failed
            [message] = smtp.inbox.messages()
            assert message["To"] == "new.person@example.jp"  # the new address, not the old
            assert "メールアドレス変更の確認" in str(message["Subject"])
            text = message.get_body(("plain",)).get_content()
            link = re.search(r"https?://\S+/portal/account/email/confirm\?token=\S+", text)
            assert link, text
            path = link.group(0).split(shop.host, 1)[1]
            token = path.split("token=", 1)[1]

            tampered = token.rsplit(".", 1)[0] + ".ZXZpbEBleGFtcGxlLmpw"  # evil@example.jp
            shown = await client.get(f"/portal/account/email/confirm?token={tampered}")
            refused = await client.post(
                "/portal/account/email/confirm",
                data={"csrf_token": csrf_of(shown.text), "token": tampered},
            )
            assert refused.status_code == 400
            assert await _login_email(shop) == shop.customer_email

            page = await client.get(path)
            assert page.status_code == 200 and "new.person@example.jp" in page.text
            assert await _login_email(shop) == shop.customer_email  # a GET changes nothing
            done = await client.post(
                "/portal/account/email/confirm",
                data={"csrf_token": csrf_of(page.text), "token": token},
            )
            assert done.status_code == 303
            assert await _login_email(shop) == "new.person@example.jp"
            again = await client.post(
                "/portal/account/email/confirm",
                data={"csrf_token": csrf_of(page.text), "token": token},
            )
            assert again.status_code == 400  # single use
            await sign_out(client, "portal")
            new = await sign_in(client, "portal", "new.person@example.jp")
            assert new.status_code == 303
    finally:
        smtp.stop()
