"""Issue 14, journey 4 at the test-client level: after payment, the portal's certificate page
(``web/portal_certificates``) shows the voucher a customer bought for 2 FQDNs and takes the
application itself — CSR pasted or uploaded and checked on the spot against what was bought,
organisation prefilled from the account, DCV method with its instructions — then, once the
sandbox has validated the names, offers the certificate as PEM, chain and PKCS#7; the voucher
shows as used. The shop runs in the test client; the DigiCert sandbox over loopback HTTP.
"""

from __future__ import annotations

import html
import re

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs7

from core.catalog.retail import set_retail_price
from core.catalog.tables import Product
from core.context import tenant_scope
from core.contracts.common import Price
from core.entitlements.deps import EntitlementDeps
from core.entitlements.fulfilment import fulfil_order
from core.money import Rounding
from core.orders.deps import OrderDeps
from core.orders.lines import LineInput
from core.orders.placing import OrderRequest, create_order
from core.orders.providers import ProviderGate
from core.orders.totals import TaxPolicy
from core.plugins import Registry, build_plugin_manager
from tenants.customers import add_customer_user, create_customer
from tests.conftest import make_app
from tests.csr_helpers import make_csr
from tests.plugins.digicert.test_certificates import openssl_verify
from tests.plugins.digicert.test_money_matches_delivery import pay
from tests.plugins.digicert.test_voucher_mail import SandboxAccounts
from tests.tenants.helpers import unique
from tests.web.browser import BASE, PASSWORD, browser, browser_settings, csrf_of, sign_in

NAMES = ("www.kaite.test", "kaite.test")
CERT_LINK = re.compile(r'href="/portal/certificates/(\d+)"')


def error_text(page: str, name: str) -> str:
    found = re.search(rf'<p class="field-error" id="{name}-error">(.*?)</p>', page, re.S)
    assert found, f"no error for {name}"
    return html.unescape(found.group(1))


@pytest.fixture
async def bought(shop, upstream):
    """A customer (with a portal login) whose order for 1 year of Basic OV with 1 additional
    FQDN is paid and fulfilled: one voucher for 2 FQDNs."""
    ctx = shop.ctx
    deps = EntitlementDeps(
        Registry(build_plugin_manager(load_entrypoints=False)), SandboxAccounts(upstream.api_url)
    )
    order_deps = OrderDeps(ProviderGate(deps.registry, deps.accounts), TaxPolicy(Rounding.DOWN))
    email = f"{unique('kaite')}@example.jp"
    with tenant_scope(shop.tenant):
        customer = await create_customer(
            ctx, "株式会社買い手", "1000005", "東京都", "千代田区丸の内1-1-1", "03-1234-5678"
        )
        await add_customer_user(ctx, customer, email, "買い手 太郎", PASSWORD, set_by_staff=False)
        product = (
            await Product.select(Product.id)
            .where((Product.code == "ssl_basic") & (Product.tenant_id == shop.tenant.id))
            .first()
        )
        await set_retail_price(ctx, product["id"], 12, Price(30_000, 20_000, 120_000))
        request = OrderRequest("card", (LineInput(product["id"], fqdns=1),), customer)
        order = await create_order(ctx, request, order_deps)
        await pay(ctx, order.id, order.total)
        outcome = await fulfil_order(ctx, order.id, deps)
    assert outcome.status == "fulfilled", outcome
    return email, outcome.entitlement_ids[0]


async def test_the_portal_takes_the_application_and_delivers_the_certificate(
    shop, upstream, bought, tmp_path, database
):
    email, voucher_id = bought
    app = make_app(browser_settings(tmp_path, database), clock=upstream.clock)
    url = f"/portal/certificates/{voucher_id}"
    async with browser(app, f"{shop.tenant.slug}.{BASE}") as web:
        assert (await sign_in(web, "portal", email)).status_code == 303

        listed = await web.get("/portal/certificates?lang=ja")
        assert f'href="{url}"' in listed.text
        page = await web.get(f"{url}?lang=ja")
        assert page.status_code == 200, page.text
        assert re.search(r'<code id="voucher-code">[0-9A-Z]{32}</code>', page.text)
        assert "FQDN 2 個(コモンネームを含む)、ワイルドカード 0 個" in page.text
        assert 'value="株式会社買い手"' in page.text  # prefilled from the account
        assert re.search(r">ORD-20\d\d-000001</a>", page.text)  # the order's number, not its id
        assert "バウチャーオーダー全体をキャンセルする" in page.text  # a human label …
        assert "(cancel_order)" not in page.text and "（cancel_order）" not in page.text  # noqa: RUF001
        for method in ("HTTP トークン", "admin@"):
            assert method in page.text

        async def apply(csr: str, step: str, lang: str = "ja", upload: bool = False):
            token = csrf_of((await web.get(f"{url}?lang={lang}")).text)
            data = {
                "csrf_token": token, "action": "redeem", "organization_name": "株式会社買い手",
                "dcv_method": "http-token", "step": step, "form_key": f"k-{step}-{lang}",
                "csr": "" if upload else csr,
            }  # fmt: skip
            files = (
                {"csr_file": ("www.csr", csr.encode(), "application/pkcs10")} if upload else None
            )
            return await web.post(f"{url}/apply?lang={lang}", data=data, files=files)

        three = make_csr(NAMES[0], (*NAMES, "mail.kaite.test"))
        refused = await apply(three, "check")
        assert refused.status_code == 400
        assert error_text(refused.text, "csr") == (
            "CSR の FQDN は 3 個ですが、ご購入は 2 個(コモンネームを含む)です。"
        )
        assert "mail.kaite.test" in refused.text  # the input is kept
        refused_en = await apply(three, "apply", "en")
        assert refused_en.status_code == 400  # nothing went upstream
        assert "has 3 FQDNs, but 2 were paid for" in error_text(refused_en.text, "csr")
        assert await upstream_orders(upstream) == 0

        csr = make_csr(NAMES[0], NAMES)
        checked = await apply(csr, "check")
        assert checked.status_code == 200
        assert (
            "RSA 2048" in checked.text and "この CSR はこのご購入で申請できます。" in checked.text
        )

        applied = await apply(csr, "apply", upload=True)
        assert applied.status_code == 303, applied.text
        certificate_url = applied.headers["location"].split("?")[0]
        pending = await web.get(f"{certificate_url}?lang=ja")
        assert 'data-state="pending"' in pending.text
        token = re.search(r'<code id="dcv-token">([0-9a-f]+)</code>', pending.text).group(1)
        for name in NAMES:
            assert f"http://{name}/.well-known/pki-validation/fileauth.txt" in pending.text

        voucher = await web.get(f"{url}?lang=ja")
        assert 'data-state="used"' in voucher.text and "使用済" in voucher.text
        assert f'href="{certificate_url}"' in voucher.text
        assert 'action="' + url + '/apply"' not in voucher.text  # no second application

        async def check_now():
            token_ = csrf_of((await web.get(certificate_url)).text)
            done = await web.post(f"{certificate_url}/check", data={"csrf_token": token_})
            assert done.status_code == 303, done.text
            return await web.get(f"{certificate_url}?lang=en")

        assert 'data-state="pending"' in (await check_now()).text  # no token served yet
        for name in NAMES:
            upstream.tokens.serve_token(name, token)
        issued = await check_now()
        assert 'data-state="issued"' in issued.text

        pem = (await web.get(f"{certificate_url}/download?format=pem")).text
        chain = (await web.get(f"{certificate_url}/download?format=chain")).text
        p7b = (await web.get(f"{certificate_url}/download?format=p7b")).content
    certs = [c + "-----END CERTIFICATE-----\n" for c in pem.split("-----END CERTIFICATE-----")[:-1]]
    assert len(certs) == 3 and chain.count("BEGIN CERTIFICATE") == 2
    leaf = x509.load_pem_x509_certificate(certs[0].encode())
    san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sorted(san.get_values_for_type(x509.DNSName)) == sorted(NAMES)
    assert len(pkcs7.load_der_pkcs7_certificates(p7b)) == 3
    openssl_verify(
        tmp_path, tuple(c.strip() + "\n" for c in certs), int(upstream.clock.now().timestamp())
    )


async def upstream_orders(upstream) -> int:
    from plugins.digicert.client import CertCentralClient
    from tests.plugins.digicert.conftest import API_KEY

    async with CertCentralClient(API_KEY, upstream.api_url, timeout=10) as api:
        return len(await api.list_certificate_orders())
