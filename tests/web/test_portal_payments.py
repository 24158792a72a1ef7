"""The customer's wallet and payment-method pages in the portal: open a wallet, top up by bank
transfer (credited once the Zengin file is imported), choose a method with its renewal day,
reset it; refused forms keep the input and name the field; ja and en."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest

from core.clock import FrozenClock
from core.context import Actor, Context, tenant_scope
from core.hookspecs import hookimpl
from core.outbox_relay import deliver_pending
from core.payments.transfers import import_zengin
from plugins.card.adapter import CardAdapter
from plugins.wallet.topups import on_payment_received
from tenants.credentials import Keyring
from tenants.provider_accounts import save_account
from tests.core.payments.helpers import BANK_ACCOUNT
from tests.plugins.bank_transfer.builder import Transfer, notice_file
from tests.plugins.card.conftest import SECRET_KEY, WEBHOOK_SECRET, localstripe
from tests.web.browser import (
    START,
    browser,
    browser_settings,
    csrf_of,
    make_app,
    make_shop,
    post_form,
    sign_in,
)

WALLET_PASSWORD = "osaipo-pass-1234"
__all__ = ["localstripe"]  # the session fixture of the card tests


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
async def portal(tmp_path, database, clock):
    settings = browser_settings(tmp_path, database)
    app = make_app(settings, clock=clock)
    shop = await make_shop(clock)
    ctx = Context(shop.tenant, Actor.system("test"), clock)
    with tenant_scope(shop.tenant):
        keyring = Keyring.from_settings(settings)
        await save_account(ctx, keyring, "payment", "wallet", {}, {})
        await save_account(ctx, keyring, "payment", "bank_transfer", BANK_ACCOUNT.config, {})
    async with browser(app, shop.host) as client:
        signed = await sign_in(client, "portal", shop.customer_email)
        assert signed.status_code == 303, signed.text
        yield client, ctx


def field_error(html: str, name: str) -> str:
    found = re.search(rf'<p class="field-error" id="{name}-error">([^<]+)</p>', html)
    assert found, f"no error under {name}"
    return found.group(1)


async def test_signed_out_visitors_are_sent_to_sign_in(tmp_path, database, clock):
    app = make_app(browser_settings(tmp_path, database), clock=clock)
    shop = await make_shop(clock)
    async with browser(app, shop.host) as client:
        for path in ("/portal/wallet", "/portal/payment-method"):
            answer = await client.get(path)
            assert (
                answer.status_code in (302, 303) and "/portal/login" in answer.headers["location"]
            )


async def test_open_a_wallet_and_top_up_by_bank_transfer(portal):
    client, ctx = portal
    empty = await client.get("/portal/wallet")
    assert empty.status_code == 200 and 'action="/portal/wallet/open"' in empty.text
    mismatch = await post_form(
        client,
        "/portal/wallet",
        "/portal/wallet/open",
        {"password": WALLET_PASSWORD, "password_confirm": "something else"},
    )
    assert mismatch.status_code == 400
    assert "一致しません" in field_error(mismatch.text, "password_confirm")
    opened = await post_form(
        client,
        "/portal/wallet",
        "/portal/wallet/open",
        {"password": WALLET_PASSWORD, "password_confirm": WALLET_PASSWORD},
    )
    assert opened.status_code == 303
    page = await client.get("/portal/wallet?notice=wallet_opened")
    assert "ウォレットを開設しました" in page.text and "0円" in page.text

    refused = await post_form(
        client,
        "/portal/wallet",
        "/portal/wallet/top-up",
        {"method": "bank_transfer", "amount": "abc"},
    )
    assert refused.status_code == 400
    assert "1円から" in field_error(refused.text, "amount")
    assert 'value="abc"' in refused.text  # the input is kept
    asked = await post_form(
        client,
        "/portal/wallet",
        "/portal/wallet/top-up",
        {"method": "bank_transfer", "amount": "5000"},
    )
    assert asked.status_code == 303
    shown = await client.get(asked.headers["location"])
    reference = re.search(r'class="payer-reference">(\w+)<', shown.text)
    assert reference and "5,000円" in shown.text
    with tenant_scope(ctx.tenant):
        data = notice_file([Transfer(5_000, f"{reference.group(1)} ｺｳﾆﾕｳ ﾊﾅｺ")])
        await import_zengin(ctx, data)
        await import_zengin(ctx, data)  # the same file again: nothing more
        await deliver_pending(ctx.tenant, {"payment.received": [on_payment_received]}, ctx.clock)
    credited = await client.get("/portal/wallet")
    assert re.search(r'class="balance">5,000円<', credited.text)
    assert "+5,000円" in credited.text and "チャージ" in credited.text
    assert "payer-reference" not in credited.text  # the transfer is settled
    english = await client.get("/portal/wallet?lang=en")
    assert "Balance" in english.text and "¥5,000" in english.text


async def test_choose_a_payment_method_with_renewal_day_and_reset(portal):
    client, _ = portal
    page = await client.get("/portal/payment-method")
    assert page.status_code == 200 and "未設定" in page.text
    assert 'value="card"' not in page.text  # the tenant has no card account
    no_day = await post_form(
        client, "/portal/payment-method", "/portal/payment-method", {"payment_method": "wallet"}
    )
    assert no_day.status_code == 400
    assert "5日" in field_error(no_day.text, "renewal_day")
    assert re.search(r'value="wallet"[^>]*checked', no_day.text)  # the choice is kept
    saved = await post_form(
        client,
        "/portal/payment-method",
        "/portal/payment-method",
        {"payment_method": "wallet", "renewal_day": "15"},
    )
    assert saved.status_code == 303
    shown = await client.get(saved.headers["location"])
    assert "保存しました" in shown.text and "15日" in shown.text
    assert re.search(r"自動更新</dt>\s*<dd>する</dd>", shown.text)
    home = await client.get("/portal/payment-method")
    reset = await client.post(
        "/portal/payment-method/reset", data={"csrf_token": csrf_of(home.text)}
    )
    assert reset.status_code == 303
    after = await client.get(reset.headers["location"])
    assert "リセットしました" in after.text and "未設定" in after.text
    assert re.search(r"自動更新</dt>\s*<dd>しない", after.text)
    bank = await post_form(
        client,
        "/portal/payment-method",
        "/portal/payment-method",
        {"payment_method": "bank_transfer"},
    )
    assert bank.status_code == 303
    english = await client.get("/portal/payment-method?lang=en")
    assert "Bank transfer" in english.text and "Off (renew by hand)" in english.text


async def test_a_form_without_the_csrf_token_is_refused(portal):
    client, _ = portal
    answer = await client.post("/portal/payment-method/reset", data={})
    assert answer.status_code == 403


class PortalCardPlugin:
    """The card plugin pointed at localstripe, leaving out ``return_url`` (which localstripe
    refuses; the portal always sends one for a bank's 3-D Secure redirect)."""

    def __init__(self, api_base: str) -> None:
        base = api_base

        class LocalCard(CardAdapter):
            def __init__(self, account: Any) -> None:
                super().__init__(account, api_base=base)

            async def start(self, ctx: Any, request: Any) -> Any:
                return await super().start(ctx, replace(request, return_url=""))

        self.adapter = LocalCard

    @hookimpl
    def register_payment_adapters(self) -> list[type]:
        return [self.adapter]

    @hookimpl
    def register_piccolo_apps(self) -> list[str]:
        return ["plugins.card.piccolo_app"]


async def test_a_card_top_up_from_the_portal_is_credited(tmp_path, database, clock, localstripe):
    settings = browser_settings(tmp_path, database)
    plugin = PortalCardPlugin(localstripe)
    app = make_app(settings, clock=clock, plugins=[plugin], disabled_plugins=["plugins.card"])
    shop = await make_shop(clock)
    ctx = Context(shop.tenant, Actor.system("test"), clock)
    with tenant_scope(shop.tenant):
        credentials = {"secret_key": SECRET_KEY, "webhook_secret": WEBHOOK_SECRET}
        await save_account(ctx, Keyring.from_settings(settings), "payment", "card", {}, credentials)
    async with browser(app, shop.host) as client:
        assert (await sign_in(client, "portal", shop.customer_email)).status_code == 303
        data = {"password": WALLET_PASSWORD, "password_confirm": WALLET_PASSWORD}
        await post_form(client, "/portal/wallet", "/portal/wallet/open", data)
        paid = await post_form(
            client,
            "/portal/wallet",
            "/portal/wallet/top-up",
            {"method": "card", "amount": "2000", "payment_method": "pm_card_visa"},
        )
        assert paid.status_code == 303, paid.text
        page = await client.get(paid.headers["location"])
        assert "残高に反映しました" in page.text
        assert re.search(r'class="balance">2,000円<', page.text)


async def _wallet_page_with_card(
    tmp_path: Any, database: Any, clock: FrozenClock, config: dict[str, str], **extra: str
) -> Any:
    """The signed-in customer's wallet page (a wallet opened) at a shop with a card account
    of ``config``; ``extra``: settings (the Stripe API base)."""
    settings = browser_settings(tmp_path, database, **extra)
    app = make_app(settings, clock=clock)
    shop = await make_shop(clock)
    ctx = Context(shop.tenant, Actor.system("test"), clock)
    with tenant_scope(shop.tenant):
        keyring = Keyring.from_settings(settings)
        await save_account(ctx, keyring, "payment", "wallet", {}, {})
        credentials = {"secret_key": SECRET_KEY, "webhook_secret": WEBHOOK_SECRET}
        await save_account(ctx, keyring, "payment", "card", config, credentials)
    async with browser(app, shop.host) as client:
        assert (await sign_in(client, "portal", shop.customer_email)).status_code == 303
        data = {"password": WALLET_PASSWORD, "password_confirm": WALLET_PASSWORD}
        await post_form(client, "/portal/wallet", "/portal/wallet/open", data)
        return await client.get("/portal/wallet?lang=en")


async def test_the_card_top_up_draws_the_card_input_not_a_payment_method_id(
    tmp_path, database, clock
):
    """A person cannot type a ``pm_…``: the top-up form mounts Stripe's card input with the
    shop's publishable key, loads Stripe.js (allowed by the page's policy) and keeps the
    payment method a hidden field Stripe.js fills."""
    page = await _wallet_page_with_card(
        tmp_path, database, clock, {"publishable_key": "pk_test_portal"}
    )
    assert page.status_code == 200
    form = re.search(r'<form method="post" action="/portal/wallet/top-up"[^>]*>', page.text)
    assert form and 'id="card-form"' in form.group(0)
    assert 'data-publishable-key="pk_test_portal"' in form.group(0)
    assert "data-sandbox-number" not in form.group(0)
    assert '<input type="hidden" name="payment_method" value="">' in page.text
    assert '<div id="card" class="card-element"' in page.text
    assert "Your card details go straight to our payment provider" in page.text
    assert '<script src="https://js.stripe.com/v3/"></script>' in page.text
    assert "https://js.stripe.com" in page.headers["content-security-policy"]


async def test_in_the_card_sandbox_the_top_up_loads_the_stand_in_with_its_labels(
    tmp_path, database, clock, localstripe
):
    page = await _wallet_page_with_card(
        tmp_path,
        database,
        clock,
        {"publishable_key": "pk_test_portal"},
        stripe_api_base=localstripe,
    )
    assert '<script src="/payments/card/sandbox/stripe.js"></script>' in page.text
    assert 'data-sandbox-number="Card number"' in page.text
    assert "test card 4242 4242 4242 4242" in page.text


async def test_without_card_payments_the_top_up_has_no_card_input(portal):
    client, _ = portal
    data = {"password": WALLET_PASSWORD, "password_confirm": WALLET_PASSWORD}
    await post_form(client, "/portal/wallet", "/portal/wallet/open", data)
    page = await client.get("/portal/wallet")
    assert 'id="card-form"' not in page.text
    assert 'name="payment_method"' not in page.text
    assert "stripe" not in page.text.lower()
    assert 'value="card"' not in page.text  # no card among the top-up methods


async def test_a_top_up_by_a_3d_secure_card_is_authenticated_on_the_wallet_page(
    tmp_path, database, clock, localstripe, monkeypatch
):
    """localstripe asks for 3-D Secure through Stripe.js (no bank page to redirect to): the
    wallet page carries the challenge for Stripe.js, and the signed return route credits the
    top-up once it is authenticated."""
    monkeypatch.setenv("SHOMEI_STRIPE_API_BASE", localstripe)
    settings = browser_settings(tmp_path, database, stripe_api_base=localstripe)
    app = make_app(settings, clock=clock)
    shop = await make_shop(clock)
    ctx = Context(shop.tenant, Actor.system("test"), clock)
    with tenant_scope(shop.tenant):
        keyring = Keyring.from_settings(settings)
        await save_account(ctx, keyring, "payment", "wallet", {}, {})
        credentials = {"secret_key": SECRET_KEY, "webhook_secret": WEBHOOK_SECRET}
        config = {"publishable_key": "pk_test_portal"}
        await save_account(ctx, keyring, "payment", "card", config, credentials)
    async with browser(app, shop.host) as client:
        assert (await sign_in(client, "portal", shop.customer_email)).status_code == 303
        data = {"password": WALLET_PASSWORD, "password_confirm": WALLET_PASSWORD}
        await post_form(client, "/portal/wallet", "/portal/wallet/open", data)
        token = csrf_of((await client.get("/portal/wallet")).text)
        card = {"number": "4000002760003184", "exp_month": "12", "exp_year": "34", "cvc": "123"}
        made = await client.post(
            "/payments/card/sandbox/payment-methods", json=card, headers={"X-CSRF-Token": token}
        )
        assert made.status_code == 200, made.text
        asked = await client.post(
            "/portal/wallet/top-up?lang=en",
            data={"method": "card", "amount": "3000", "payment_method": made.json()["id"]},
            headers={"X-CSRF-Token": token},
        )
        assert asked.status_code == 200, asked.text
        found = re.search(
            r'<div id="card-authenticate" data-publishable-key="pk_test_portal" '
            r'data-client-secret="([^"]+)"\s+data-payment-intent="(pi_\w+)" '
            r'data-return-url="([^"]+)"',
            asked.text,
        )
        assert found, asked.text
        assert 'data-sandbox-complete="Complete authentication"' in asked.text
        assert "3-D Secure" in asked.text
        assert re.search(r'class="balance">¥0<', asked.text)
        secret, intent, back = found.groups()
        done = await client.post(
            "/payments/card/sandbox/authenticate",
            json={"client_secret": secret, "success": True},
            headers={"X-CSRF-Token": token},
        )
        assert done.status_code == 200, done.text
        returned = await client.get(f"{back.replace('&amp;', '&')}&payment_intent={intent}")
        assert returned.status_code == 303, returned.text
        assert returned.headers["location"].endswith("/portal/wallet?topup=credited")
        page = await client.get("/portal/wallet?topup=credited")
        page = await client.get(page.headers["location"])
        assert re.search(r'class="balance">¥3,000<', page.text)
