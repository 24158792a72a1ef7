"""My certificates: list and detail in ja and en, the actions the provider allows as the clock
moves, reissue with a CSR (checked, input kept, the provider's refusal shown), revocation with
its confirmation step, and the downloads (PEM with chain, PKCS#7)."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs7

from core.clock import FrozenClock
from core.context import tenant_scope
from core.entitlements import actions
from core.entitlements.tables import Entitlement
from tests.core.catalog.helpers import make_product
from tests.tenants.helpers import staff_context
from tests.web.browser import (
    START,
    browser,
    browser_settings,
    csrf_of,
    make_app,
    make_shop,
    sign_in,
)
from tests.web.portal_certificates import provider_plugin
from tests.web.portal_certificates.helpers import (
    issued_entitlement,
    provider_account,
    shop_customer_id,
)
from tests.web.portal_certificates.x509s import make_csr
from web.portal_certificates.controllers import entitlement_deps

ACTION = re.compile(r'data-action="([a-z_]+)"')
MISSING_ID = re.compile(r"\[[a-z_]+(\.[a-z_0-9]+)+\]")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def settings(tmp_path, database):
    return browser_settings(tmp_path, database)


@pytest.fixture
def app(settings, clock):
    return make_app(settings, clock=clock, plugins=[provider_plugin])


@pytest.fixture
async def holding(clock, settings):
    """A shop, its customer, and one certificate issued to that customer now."""
    shop = await make_shop(clock)
    customer = await shop_customer_id(shop)
    account = await provider_account(shop, clock, settings)
    entitlement = await issued_entitlement(shop, customer, clock.now(), account_id=account)
    return shop, entitlement


async def _row(shop, entitlement_id: int) -> dict:
    with tenant_scope(shop.tenant):
        return await (
            Entitlement.select()
            .where(Entitlement.id == entitlement_id)
            .first()
            .output(load_json=True)
            .run()
        )


async def _signed_in(client, shop):
    signed = await sign_in(client, "portal", shop.customer_email)
    assert signed.status_code == 303, signed.text
    return client


async def test_list_and_detail_in_both_languages(app, holding):
    shop, entitlement = holding
    async with browser(app, shop.host) as client:
        await _signed_in(client, shop)
        pem_ja = "証明書と中間証明書（PEM形式）"  # noqa: RUF001
        for lang, words in (
            ("ja", ("発行済み", "あと365日", "2027/11/22", pem_ja)),
            ("en", ("Issued", "365 days left", "2027-11-22", "Certificate with its chain (PEM)")),
        ):
            listed = await client.get("/portal/certificates", params={"lang": lang})
            assert listed.status_code == 200
            assert f'href="/portal/certificates/{entitlement}"' in listed.text
            assert "www.example.jp, mail.www.example.jp" in listed.text
            assert words[0] in listed.text and words[1] in listed.text
            detail = await client.get(f"/portal/certificates/{entitlement}", params={"lang": lang})
            assert detail.status_code == 200
            assert f'<html lang="{lang}">' in detail.text
            assert all(word in detail.text for word in words)
            for page in (listed, detail):
                assert not MISSING_ID.search(page.text), f"{lang}: a missing message id"


async def test_actions_shown_are_the_providers_allowed_actions_as_the_clock_moves(
    app, holding, clock
):
    shop, entitlement = holding
    ctx = staff_context(shop.tenant, shop.owner_id, clock)
    deps = entitlement_deps(type("R", (), {"app": app})())
    async with browser(app, shop.host) as client:
        await _signed_in(client, shop)
        seen = {}
        for days in (1, 26, 300, 366):
            clock.set(START + timedelta(days=days))
            await _signed_in(client, shop)  # sessions expire after 30 idle minutes
            page = await client.get(f"/portal/certificates/{entitlement}?lang=en")
            allowed = await actions.allowed_actions(ctx, entitlement, deps)
            assert ACTION.findall(page.text) == [a.action for a in allowed], days
            seen[days] = page.text
    assert "Possible until 2026-12-17." in seen[1]  # reissue: 25 days after issuance
    assert 'data-action="reissue"' not in seen[26]
    assert 'data-action="renew"' in seen[300] and "Possible until 2027-11-22." in seen[300]
    # no catalog product of that code: the renewal cannot be bought in the shop
    assert "cannot be renewed in the online shop" in seen[300]
    assert 'data-action="renew"' not in seen[366]  # expired: no renewal any more


async def test_reissue_checks_the_csr_keeps_input_and_shows_refusals(app, holding, clock):
    shop, entitlement = holding
    url = f"/portal/certificates/{entitlement}"
    async with browser(app, shop.host) as client:
        await _signed_in(client, shop)

        async def post(csr: str, lang: str = "ja"):
            token = csrf_of((await client.get(url, params={"lang": lang})).text)
            return await client.post(
                f"{url}/reissue?lang={lang}",
                data={"csrf_token": token, "csr": csr, "action": "reissue"},
            )

        garbage = "-----BEGIN CERTIFICATE REQUEST-----\nnot a csr\n"
        refused = await post(garbage)
        assert refused.status_code == 400
        assert 'id="csr-error"' in refused.text and 'aria-invalid="true"' in refused.text
        assert "CSRを読み取れませんでした" in refused.text
        assert "not a csr" in refused.text  # the input is kept
        weak = await post(make_csr("www.example.jp", rsa_bits=1024), "en")
        assert weak.status_code == 400 and "1024" in weak.text and 'id="csr-error"' in weak.text
        other_name = make_csr("other.example.jp")
        for lang, message in (
            ("ja", "CSRのコモンネームが証明書と一致しません。"),
            ("en", "The CSR&#39;s common name differs from the certificate&#39;s."),
        ):
            mismatch = await post(other_name, lang)
            assert mismatch.status_code == 400, lang
            assert message in mismatch.text, lang
        assert (await _row(shop, entitlement))["state"] == "issued"

        done = await post(make_csr("www.example.jp"))
        assert done.status_code == 303
        new_id = int(done.headers["location"].split("/")[-1].split("?")[0])
        assert new_id != entitlement
        old, new = await _row(shop, entitlement), await _row(shop, new_id)
        assert old["state"] == "reissued"
        assert new["state"] == "issued" and new["parent_id"] == entitlement
        shown = await client.get(done.headers["location"])
        assert "お手続きを受け付けました。" in shown.text
        assert f"/portal/certificates/{new_id}/download?format=pem" in shown.text


async def test_an_action_no_longer_allowed_is_refused(app, holding, clock):
    shop, entitlement = holding
    url = f"/portal/certificates/{entitlement}"
    async with browser(app, shop.host) as client:
        clock.set(START + timedelta(days=24, hours=23, minutes=50))
        await _signed_in(client, shop)
        page = await client.get(url, params={"lang": "ja"})
        assert 'data-action="reissue"' in page.text
        clock.advance(timedelta(minutes=20))  # the 25 days are over while the form was open
        late = await client.post(
            f"{url}/reissue",
            data={
                "csrf_token": csrf_of(page.text),
                "csr": make_csr("www.example.jp"),
                "action": "reissue",
            },
        )
        assert late.status_code == 400
        assert "「reissue」の操作は現在行えません。" in late.text
        assert (await _row(shop, entitlement))["state"] == "issued"


async def test_revoke_asks_for_a_reason_then_a_confirmation(app, holding):
    shop, entitlement = holding
    url = f"/portal/certificates/{entitlement}"
    async with browser(app, shop.host) as client:
        await _signed_in(client, shop)
        token = csrf_of((await client.get(url)).text)
        no_reason = await client.post(f"{url}/revoke?lang=en", data={"csrf_token": token})
        assert no_reason.status_code == 400
        assert 'id="reason-error"' in no_reason.text
        assert "Choose the reason for revocation." in no_reason.text
        step = await client.post(
            f"{url}/revoke?lang=ja", data={"csrf_token": token, "reason": "key_compromise"}
        )
        assert step.status_code == 200
        asked = "理由「鍵危殆化（秘密鍵の漏洩）」でこの証明書を失効します。"  # noqa: RUF001
        assert asked in step.text
        assert 'name="confirm" value="yes"' in step.text
        assert (await _row(shop, entitlement))["state"] == "issued"  # nothing done yet
        key = re.search(r'name="form_key" value="([^"]+)"', step.text).group(1)
        confirmed = await client.post(
            f"{url}/revoke",
            data={
                "csrf_token": token,
                "reason": "key_compromise",
                "confirm": "yes",
                "form_key": key,
            },
        )
        assert confirmed.status_code == 303
        row = await _row(shop, entitlement)
        assert row["state"] == "revoked"
        assert row["data"]["revocation_reason"] == "key_compromise"
        after = await client.get(url, params={"lang": "en"})
        assert "Revoked" in after.text and 'data-action="revoke"' not in after.text


async def test_downloads_hold_the_certificate_and_its_chain(app, holding):
    shop, entitlement = holding
    async with browser(app, shop.host) as client:
        await _signed_in(client, shop)
        pem = await client.get(f"/portal/certificates/{entitlement}/download?format=pem")
        assert pem.status_code == 200
        assert 'filename="www.example.jp.pem"' in pem.headers["content-disposition"]
        chain = x509.load_pem_x509_certificates(pem.content)
        assert len(chain) == 2
        assert chain[1].subject == chain[0].issuer
        p7b = await client.get(f"/portal/certificates/{entitlement}/download?format=p7b")
        assert p7b.status_code == 200
        bundle = pkcs7.load_der_pkcs7_certificates(p7b.content)
        assert {c.serial_number for c in bundle} == {c.serial_number for c in chain}  # a SET


async def test_renew_leads_to_the_shop_when_the_product_is_sold_there(app, holding, clock):
    shop, entitlement = holding
    ctx = staff_context(shop.tenant, shop.owner_id, clock)
    with tenant_scope(shop.tenant):
        product = await make_product(ctx, code="portal-ov", provider_code=provider_plugin.CODE)
    clock.set(START + timedelta(days=300))
    async with browser(app, shop.host) as client:
        await _signed_in(client, shop)
        page = await client.get(f"/portal/certificates/{entitlement}?lang=ja")
        assert f'href="/shop/products/{product.id}"' in page.text
        assert "portal-ov 証明書" in page.text  # the catalog's name, not the code
        listed = await client.get("/portal/certificates?lang=en")
        assert "portal-ov certificate" in listed.text


async def test_an_entitlement_without_a_certificate_has_no_downloads(app, holding, clock):
    shop, _ = holding
    customer = await shop_customer_id(shop)
    with tenant_scope(shop.tenant):
        voucher = Entitlement(
            tenant_id=shop.tenant.id,
            customer_id=customer,
            provider_code=provider_plugin.CODE,
            product_code="voucher",
            state="active",
            data={"code": "A" * 32},
            created_at=clock.now(),
            updated_at=clock.now(),
        )
        await voucher.save()
    async with browser(app, shop.host) as client:
        await _signed_in(client, shop)
        page = await client.get(f"/portal/certificates/{voucher.id}?lang=en")
        assert page.status_code == 200
        assert "/download" not in page.text
        assert "cannot be changed at the moment" in page.text  # it has no provider account
        missing = await client.get(f"/portal/certificates/{voucher.id}/download")
        assert missing.status_code == 404


async def test_certificate_pages_need_a_signed_in_customer(app, holding):
    shop, entitlement = holding
    async with browser(app, shop.host) as client:
        for url in (
            "/portal/certificates",
            f"/portal/certificates/{entitlement}",
            f"/portal/certificates/{entitlement}/download",
            "/portal/account",
        ):
            response = await client.get(url)
            assert response.status_code == 303, url
            # the sign-in page brings the customer back to the page asked for
            assert response.headers["location"] == "/portal/login?" + urlencode({"next": url})


async def test_other_actions_are_confirmed_then_performed(app, holding):
    shop, entitlement = holding
    url = f"/portal/certificates/{entitlement}"
    async with browser(app, shop.host) as client:
        await _signed_in(client, shop)
        page = await client.get(url, params={"lang": "ja"})
        assert 'data-action="cancel"' in page.text
        token = csrf_of(page.text)
        wrong = await client.post(f"{url}/action", data={"csrf_token": token, "action": "revoke"})
        assert wrong.status_code == 400  # revoke has its own form with a reason
        step = await client.post(f"{url}/action", data={"csrf_token": token, "action": "cancel"})
        assert step.status_code == 200
        assert "「キャンセル」を行います。よろしいですか。" in step.text
        assert (await _row(shop, entitlement))["state"] == "issued"
        done = await client.post(
            f"{url}/action", data={"csrf_token": token, "action": "cancel", "confirm": "yes"}
        )
        assert done.status_code == 303
        assert (await _row(shop, entitlement))["state"] == "cancelled"
