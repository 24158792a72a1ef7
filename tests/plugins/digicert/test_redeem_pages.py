"""Issue 6 "Done when": the whole path over real HTTP, on both databases.

shomei runs under uvicorn on a loopback port, the sandbox upstream under another, and the DCV
token is served by the test's own HTTP server. Staff buy 3 vouchers by bank transfer through
the API; the invoice is NET30EOM; a customer signs in to the portal, redeems one code on the
redemption pages with a CSR (a refused CSR first: message per field, input kept), passes DCV by
HTTP token, downloads a certificate that the real ``openssl verify`` accepts against the
sandbox chain and whose names are the CSR's, downloads PKCS#7, and reissues with a new CSR.
"""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs7

from core.billing.invoices import get_invoice
from core.context import tenant_scope
from tenants.api_keys import SCOPES, create_api_key
from tenants.customers import add_customer_user, create_customer
from tenants.tables import Customer
from tests.conftest import make_app
from tests.csr_helpers import make_csr
from tests.plugins.digicert.servers import UvicornThread
from tests.plugins.digicert.shop import forget_account, make_shop
from tests.plugins.digicert.test_certificates import csr_sans, openssl_verify, sans
from tests.tenants.helpers import unique
from tests.web.browser import BASE, PASSWORD, browser_settings, csrf_of

NAMES = ("www.shop.test", "shop.test")
ORDER = {
    "payment_method": "bank_transfer",
    "customer_name": "株式会社サンプル",
    "lines": [{"product": "ssl_basic", "quantity": 3, "years": 1, "fqdns": 2, "wildcards": 0}],
}


@dataclass
class Site:
    url: str
    host: str
    api_key: str
    shop: object


@pytest.fixture
async def site(shop, tmp_path, database, upstream) -> AsyncIterator[Site]:
    with tenant_scope(shop.tenant):
        key = await create_api_key(shop.ctx, "panel", list(SCOPES))
    app = make_app(browser_settings(tmp_path, database), clock=upstream.clock)
    with UvicornThread(app) as server:
        yield Site(server.url, f"{shop.tenant.slug}.{BASE}", key.key, shop)


async def customer(site: Site, name: str, shop: object = None) -> str:
    email = f"{unique('redeemer')}@example.jp"
    shop = shop or site.shop
    with tenant_scope(shop.tenant):
        company = await create_customer(
            shop.ctx, name, "1000005", "東京都", "千代田区丸の内1-1-1", "03-1234-5678"
        )
        await add_customer_user(shop.ctx, company, email, "申請 太郎", PASSWORD, set_by_staff=False)
    return email


def browser(site: Site, language: str = "ja") -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=site.url, headers={"Host": site.host, "Accept-Language": language}, timeout=30
    )


async def sign_in(web: httpx.AsyncClient, email: str) -> None:
    page = await web.get("/portal/login")
    signed = await web.post(
        "/portal/login",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf_of(page.text)},
    )
    assert signed.status_code == 303, signed.text


async def post(web: httpx.AsyncClient, page: str, path: str, data: dict[str, str]):
    shown = await web.get(page)
    assert shown.status_code == 200, shown.text
    return await web.post(path, data={**data, "csrf_token": csrf_of(shown.text)})


def field_error(page: str, name: str) -> str:
    found = re.search(rf'<p class="field-error" id="{name}-error">(.*?)</p>', page, re.S)
    assert found, f"no error for {name}"
    return html.unescape(found.group(1))


def textarea(page: str) -> str:
    found = re.search(r'<textarea id="csr"[^>]*>(.*?)</textarea>', page, re.S)
    assert found
    return html.unescape(found.group(1))


async def buy_three(site: Site) -> dict:
    async with httpx.AsyncClient(base_url=site.url, timeout=30) as api:
        created = await api.post(
            "/api/v1/digicert/voucher-orders/", json=ORDER,
            headers={"X-API-Key": site.api_key, "Idempotency-Key": "done-when-0001"},
        )  # fmt: skip
    assert created.status_code == 201, created.text
    return created.json()


async def test_vouchers_bought_redeemed_on_the_pages_and_verified(site, upstream, tmp_path):
    order = await buy_three(site)
    assert [c["status"] for c in order["codes"]] == ["active"] * 3
    with tenant_scope(site.shop.tenant):
        invoice = await get_invoice(site.shop.ctx, order["invoice_id"])
    assert (invoice.status, invoice.payment_term) == ("open", "NET30EOM")
    assert invoice.due_date == date(2026, 4, 30)  # issued 2026-03-14: end of the next month
    assert invoice.subtotal == order["total"] == 3 * (17_600 + 26_400)
    code = order["codes"][0]["value"]

    async with browser(site) as web:
        link = await web.get(f"/digicert/redeem?vc={code}")  # no login yet: sign up
        assert link.status_code == 303
        signup_page = link.headers["location"]
        assert signup_page == f"/digicert/signup?vc={code}"
        signed_up = await post(
            web, signup_page, "/digicert/signup",
            {"vc": code, "organization_name": "申請株式会社", "postal_code": "100-0005",
             "prefecture": "東京都", "address": "千代田区丸の内1-1-1", "phone": "03-1234-5678",
             "display_name": "申請 太郎", "email": f"{unique('signup')}@example.jp",
             "password": PASSWORD},
        )  # fmt: skip
        assert signed_up.status_code == 303, signed_up.text
        assert signed_up.headers["location"] == f"/digicert/redeem?vc={code}"
        form = await web.get(f"/digicert/redeem?vc={code}")
        assert form.status_code == 200 and code in form.text and "申請株式会社" in form.text

        bad_csr = make_csr(NAMES[0], (*NAMES, "192.0.2.7"))
        refused = await post(
            web, f"/digicert/redeem?vc={code}", "/digicert/redeem",
            {"code": code, "organization_name": "申請株式会社", "csr": bad_csr,
             "dcv_method": "http-token"},
        )  # fmt: skip
        assert refused.status_code == 400
        shown = field_error(refused.text, "csr")  # the one name rule's message (core's catalog)
        assert shown.startswith("CSRにドメイン名以外の名前") and "192.0.2.7" in shown
        assert textarea(refused.text).strip() == bad_csr.strip()  # input kept

        csr = make_csr(NAMES[0], NAMES)
        redeemed = await post(
            web, f"/digicert/redeem?vc={code}", "/digicert/redeem",
            {"code": code, "organization_name": "申請株式会社", "csr": csr,
             "dcv_method": "http-token"},
        )  # fmt: skip
        assert redeemed.status_code == 303, redeemed.text
        page_path = redeemed.headers["location"]
        pending = await web.get(page_path)
        assert 'data-status="pending"' in pending.text
        token = re.search(r'<code id="dcv-token">([^<]+)</code>', pending.text).group(1)
        assert "/.well-known/pki-validation/fileauth.txt" in pending.text

        not_yet = await web.get(f"{page_path}/pem")
        assert not_yet.status_code == 409 and "まだ発行されていません" in not_yet.text
        for name in NAMES:
            upstream.tokens.serve_token(name, token)
        checked = await post(web, page_path, f"{page_path}/check", {})
        assert checked.status_code == 303
        issued = await web.get(page_path)
        assert 'data-status="issued"' in issued.text

        pem = await web.get(f"{page_path}/pem")
        assert pem.status_code == 200
        p7b = await web.get(f"{page_path}/p7b")
        assert p7b.status_code == 200

        new_csr = make_csr(NAMES[0], NAMES)
        reissued = await post(web, page_path, f"{page_path}/reissue", {"csr": new_csr})
        assert reissued.status_code == 303, reissued.text
        after = await web.get(f"{page_path}/pem")

    ca = httpx.get(f"{upstream.url}/sandbox/ca").json()
    leaf = pem.text.split("-----END CERTIFICATE-----")[0] + "-----END CERTIFICATE-----\n"
    at = int(upstream.clock.now().timestamp()) + 3600
    assert "OK" in openssl_verify(tmp_path, (leaf, ca["intermediate"], ca["root"]), at)
    assert sorted(sans(leaf)) == sorted(csr_sans(csr))
    certificate = x509.load_pem_x509_certificate(leaf.encode())
    assert certificate.public_key() == x509.load_pem_x509_csr(csr.encode()).public_key()
    chain = pkcs7.load_pem_pkcs7_certificates(p7b.content)
    assert certificate in chain and len(chain) == 3

    new_leaf = x509.load_pem_x509_certificate(after.content)
    assert new_leaf.public_key() == x509.load_pem_x509_csr(new_csr.encode()).public_key()
    codes = await upstream_codes(upstream, order["upstream_id"])
    assert [c["status"] for c in codes] == ["used", "active", "active"]


async def upstream_codes(upstream, voucher_order_id: int) -> list[dict]:
    async with httpx.AsyncClient() as http:
        answer = await http.get(
            f"{upstream.api_url}/voucher/{voucher_order_id}/codes",
            headers={"X-DC-DEVKEY": upstream.sandbox.config.api_key},
        )
    return answer.json()["codes"]


async def test_another_customer_gets_404_and_english_messages(site, upstream, settings):
    order = await buy_three(site)
    code = order["codes"][1]["value"]
    owner, other = await customer(site, "持ち主株式会社"), await customer(site, "他社株式会社")
    async with browser(site, "en") as web:
        await sign_in(web, owner)
        wrong = await post(
            web, "/digicert/redeem", "/digicert/redeem",
            {"code": code, "organization_name": "", "csr": "not a CSR", "dcv_method": "fax"},
        )  # fmt: skip
        assert wrong.status_code == 400
        assert "CSR" in field_error(wrong.text, "csr")
        unknown = await post(
            web, "/digicert/redeem", "/digicert/redeem",
            {"code": "X" * 32, "organization_name": "Owner KK",
             "csr": make_csr(NAMES[0], NAMES), "dcv_method": "http-token"},
        )  # fmt: skip
        assert field_error(unknown.text, "code") == "Voucher code not found."
        too_many = await post(
            web, "/digicert/redeem", "/digicert/redeem",
            {"code": code, "organization_name": "Owner KK",
             "csr": make_csr("a.shop.test", ("a.shop.test", "b.shop.test", "c.shop.test")),
             "dcv_method": "http-token"},
        )  # fmt: skip
        assert (
            field_error(too_many.text, "csr") == "The voucher allows 2 FQDNs and 0 wildcard names."
        )
        done = await post(
            web, "/digicert/redeem", "/digicert/redeem",
            {"code": code, "organization_name": "Owner KK", "csr": make_csr(NAMES[0], NAMES),
             "dcv_method": "email"},
        )  # fmt: skip
        assert done.status_code == 303
        page_path = done.headers["location"]
        again = await post(
            web, "/digicert/redeem", "/digicert/redeem",
            {"code": code, "organization_name": "Owner KK", "csr": make_csr(NAMES[0], NAMES),
             "dcv_method": "http-token"},
        )  # fmt: skip
        assert field_error(again.text, "code") == "This voucher code is not active."
    async with browser(site) as web:
        await sign_in(web, other)
        for path in (page_path, f"{page_path}/pem", f"{page_path}/p7b"):
            assert (await web.get(path)).status_code == 404, path
        assert (await web.get("/digicert/certificates/987654321")).status_code == 404
    other_shop = await make_shop(settings, upstream.clock, upstream.api_url)
    try:
        stranger = await customer(site, "別テナント株式会社", other_shop)
        elsewhere = Site(site.url, f"{other_shop.tenant.slug}.{BASE}", "", other_shop)
        async with browser(elsewhere) as web:
            await sign_in(web, stranger)
            for path in (page_path, f"{page_path}/pem"):
                assert (await web.get(path)).status_code == 404, path
    finally:
        await forget_account(other_shop)


async def test_sign_up_refusals_keep_the_input_and_leave_no_company(site):
    taken = await customer(site, "既存株式会社")
    form = {
        "vc": "", "organization_name": "新規株式会社", "postal_code": "12", "prefecture": "東京都",
        "address": "千代田区1-1", "phone": "03-1234-5678", "display_name": "新規 花子",
        "email": taken, "password": PASSWORD,
    }  # fmt: skip
    async with browser(site) as web:
        bad_postal = await post(web, "/digicert/signup", "/digicert/signup", form)
        assert bad_postal.status_code == 400
        assert field_error(bad_postal.text, "postal_code")
        assert 'value="新規株式会社"' in bad_postal.text and PASSWORD not in bad_postal.text
        form["postal_code"] = "100-0005"
        twice = await post(web, "/digicert/signup", "/digicert/signup", form)
        assert twice.status_code == 400
        assert field_error(twice.text, "email") == "このメールアドレスはすでに登録されています。"
    with tenant_scope(site.shop.tenant):
        companies = await Customer.select(Customer.id).where(
            (Customer.organization_name == "新規株式会社")
            & (Customer.tenant == site.shop.tenant.id)  # another test's shop may have one
        )
    assert companies == []  # the refused login rolled its company back
