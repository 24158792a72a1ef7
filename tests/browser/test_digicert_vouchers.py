"""DigiCert vouchers in a real browser, against the sandbox upstream on loopback.

- Tenant staff sign in to the console, build a voucher order on its form (calculate, then
  submit), and download the order's PDF: it is a PDF and holds every code of the order.
- A customer opens a tenant's redeem link, signs up, pastes a CSR, chooses HTTP DCV (the token
  is served by the test's own HTTP server), sees the certificate issued and downloads the PEM.

The upstream is ``tests/plugins/digicert``'s sandbox fixture (``upstream``, with its DCV token
server); the tenant is its ``make_shop`` (provider account pointing at the sandbox, product,
price table, contract), created with the live server's settings so the web process can unseal
the account's API key.
"""

from __future__ import annotations

import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509

from core.context import tenant_scope
from plugins.digicert.tables import DcVoucherCode
from tenants.api_keys import SCOPES, create_api_key
from tests.csr_helpers import make_csr
from tests.plugins.digicert.conftest import token_server, upstream  # noqa: F401  (fixtures)
from tests.plugins.digicert.shop import Shop, forget_account, make_shop
from tests.plugins.digicert.test_certificates import csr_sans, sans
from tests.tenants.helpers import unique
from tests.web.browser import PASSWORD

NAMES = ("www.shop.test", "shop.test")


@pytest.fixture
async def digicert_shop(live_server, upstream) -> AsyncIterator[Shop]:  # noqa: F811
    made = await make_shop(live_server.settings, upstream.clock, upstream.api_url)
    yield made
    await forget_account(made)


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


async def test_staff_create_a_voucher_order_and_download_its_pdf(
    live_server, digicert_shop, page, screenshot
):
    slug = digicert_shop.tenant.slug
    await page.goto(live_server.tenant_url(slug, "/console/login?lang=ja"))
    await page.locator("#email").fill(f"owner-{slug}@example.jp")
    await page.locator("#password").fill(PASSWORD)
    await page.get_by_role("button", name="ログイン").click()
    await page.wait_for_url("**/console/")
    await page.get_by_role("link", name="バウチャー", exact=True).click()
    await page.wait_for_url("**/console/vouchers")
    await screenshot("1-voucher-orders")
    await page.get_by_role("link", name="新しいバウチャーを追加する").click()
    await page.wait_for_url("**/console/vouchers/new")
    await page.get_by_label("顧客", exact=True).fill("株式会社サンプル")
    await page.locator("#lines-0-quantity").fill("2")
    await page.locator("#lines-0-product").select_option("ssl_basic")
    await page.locator("#lines-0-fqdns").fill("1")
    await page.locator("#lines-0-wildcards").fill("0")
    await page.get_by_role("button", name="合計を計算する").click()
    summary = page.get_by_role("region", name="取引概要")
    assert "35,200円" in await summary.inner_text()  # 2 x 17,600 (one name each)
    await screenshot("2-transaction-summary")
    await page.get_by_role("button", name="送信する").click()
    await page.wait_for_url("**/console/vouchers/*")
    order_id = int(page.url.split("?")[0].rsplit("/", 1)[1])
    with tenant_scope(digicert_shop.tenant):
        rows = await DcVoucherCode.select(DcVoucherCode.value).where(
            DcVoucherCode.voucher_order_id == order_id
        )
    codes = sorted(row["value"] for row in rows)
    assert len(codes) == 2
    for code in codes:
        assert await page.get_by_text(code).first.is_visible()
    await screenshot("3-voucher-order")

    async with page.expect_download() as waiting:
        await page.get_by_role("link", name="バウチャーコードPDFをダウンロードする(日本語)").click()
    download = await waiting.value
    saved = Path(await download.path())
    assert saved.read_bytes().startswith(b"%PDF-")
    text = pdf_text(saved)
    for code in codes:
        assert code in text
    assert "ベーシックOV" in text or "Basic OV" in text


async def test_customer_redeems_a_voucher_and_downloads_the_certificate(
    live_server,
    digicert_shop,
    upstream,  # noqa: F811
    page,
    screenshot,
):
    with tenant_scope(digicert_shop.tenant):
        key = await create_api_key(digicert_shop.ctx, "browser", list(SCOPES))
    order = {
        "payment_method": "bank_transfer",
        "lines": [{"product": "ssl_basic", "quantity": 1, "years": 1, "fqdns": 2}],
    }
    async with httpx.AsyncClient(base_url=live_server.url("127.0.0.1"), timeout=30) as api:
        created = await api.post(
            "/api/v1/digicert/voucher-orders/", json=order,
            headers={"X-API-Key": key.key, "Idempotency-Key": unique("browser-redeem")},
        )  # fmt: skip
    assert created.status_code == 201, created.text
    code = created.json()["codes"][0]["value"]

    slug = digicert_shop.tenant.slug
    await page.goto(live_server.tenant_url(slug, f"/digicert/redeem?vc={code}"))
    await page.wait_for_url("**/digicert/signup?vc=*")  # no login yet: sign up first
    await page.locator("#organization_name").fill("申請株式会社")
    await page.locator("#postal_code").fill("100-0005")
    await page.locator("#prefecture").fill("東京都")
    await page.locator("#address").fill("千代田区丸の内1-1-1")
    await page.locator("#phone").fill("03-1234-5678")
    await page.locator("#display_name").fill("申請 太郎")
    await page.locator("#email").fill(f"{unique('signup')}@example.jp")
    await page.locator("#password").fill(PASSWORD)
    await screenshot("1-sign-up")
    await page.get_by_role("button", name="登録して次へ").click()
    await page.wait_for_url("**/digicert/redeem?vc=*")
    assert await page.locator("#code").input_value() == code  # the link's code, kept
    assert await page.locator("#organization_name").input_value() == "申請株式会社"

    csr = make_csr(NAMES[0], NAMES)
    await page.get_by_label("CSR", exact=True).fill(csr)
    await page.get_by_label("HTTP トークン(Web サーバーにファイルを置く)").check()
    await screenshot("2-redeem-form")
    await page.get_by_role("button", name="申請する").click()
    await page.wait_for_url("**/digicert/certificates/*")
    status = page.locator("[data-status]")
    assert await status.get_attribute("data-status") == "pending"
    token = await page.locator("#dcv-token").inner_text()
    await screenshot("3-dcv-pending")

    for name in NAMES:
        upstream.tokens.serve_token(name, token)
    await page.get_by_role("button", name="今すぐ確認").click()
    await page.wait_for_load_state()
    assert await status.get_attribute("data-status") == "issued"
    assert await status.inner_text() == "発行済"
    await screenshot("4-issued")

    async with page.expect_download() as waiting:
        await page.get_by_role("link", name="証明書(PEM、中間・ルート証明書付き)").click()
    pem = Path(await (await waiting.value).path()).read_text()
    assert pem.count("-----BEGIN CERTIFICATE-----") == 3  # leaf, intermediate, root
    leaf = x509.load_pem_x509_certificate(pem.encode())
    assert leaf.public_key() == x509.load_pem_x509_csr(csr.encode()).public_key()
    first = pem.split("-----END CERTIFICATE-----")[0] + "-----END CERTIFICATE-----\n"
    assert sorted(sans(first)) == sorted(csr_sans(csr))
