"""Page steps of journey 4 (a customer buys and gets the certificate), for ``test_buy.py``
and any journey that needs a customer holding a certificate.

``buy_and_get_certificate(page, stack, shop, lang)`` starts from a tenant that has joined and
set up its shop through pages (``steps_join.join`` then ``steps_setup.set_up_shop``); ``shop``
is what ``set_up_shop`` returns, read for ``slug``, the staff sign-in (``owner_email``,
``password``) and the DigiCert product sold (``product_name``). A new customer signs up in
the shop, buys one year of the product with 1 additional FQDN (2 names) by bank transfer,
finds the invoice PDF in the portal, the tenant confirms the payment in the console (the
bank's Zengin file), and the portal's certificate page takes a CSR with the 2 names, shows the
DCV instructions, the sandbox validates the file the customer serves, and the certificate
downloads as PEM, chain and PKCS#7 and passes ``openssl verify``. Only pages are used; the
test's own parts are the customer's key and web server and the bank's file.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs7
from playwright.async_api import Page

from tests.csr_helpers import make_csr
from tests.journeys.stack import Stack
from tests.plugins.bank_transfer.builder import Transfer, notice_file, notice_header

# fmt: off
T: dict[str, dict[str, str]] = {
    "ja": {
        "choose": "選択する",
        "term": "期間",
        "fqdns": "追加FQDN数",
        "add": "カートに入れる",
        "checkout": "ご購入手続きへ",
        "sign_up": "登録して進む",
        "bank": "銀行振込",
        "place": "注文を確定する",
        "awaiting": "入金待ち",
        "sign_in": "ログイン",
        "import": "取り込む",
        "check_csr": "CSR を確認する",
        "csr_ok": "この CSR はこのご購入で申請できます。",
        "apply": "証明書を申請する",
        "check_now": "今すぐ確認",
        "issued": "発行済",
        "used": "使用済",
        "pem": "PEM",
        "chain": "中間・ルート証明書のみ",
        "p7b": "PKCS#7",
    },
    "en": {
        "choose": "Choose",
        "term": "Term",
        "fqdns": "Additional FQDNs",
        "add": "Add to cart",
        "checkout": "Check out",
        "sign_up": "Register and continue",
        "bank": "Bank transfer",
        "place": "Place the order",
        "awaiting": "Awaiting payment",
        "sign_in": "Sign in",
        "import": "Import",
        "check_csr": "Check the CSR",
        "csr_ok": "The CSR can be used",
        "apply": "Apply for the certificate",
        "check_now": "Check now",
        "issued": "Issued",
        "used": "Used",
        "pem": "PEM",
        "chain": "Intermediate and root",
        "p7b": "PKCS#7",
    },
}
# fmt: on
ORDER_NUMBER = re.compile(r"ORD-\d{4}-\d{6}")


@dataclass(frozen=True)
class Bought:
    """What the journey leaves behind for later journeys."""

    customer_email: str
    password: str
    order_number: str
    certificate_url: str
    names: tuple[str, ...]


async def _arrive(page: Page, pattern: str | re.Pattern[str]) -> None:
    """Wait for ``pattern``; else fail with what the page says."""
    try:
        await page.wait_for_url(pattern, timeout=30_000)
    except Exception as exc:
        body = await page.locator("body").inner_text()
        raise AssertionError(f"not at {pattern} but {page.url}:\n{body[:1500]}") from exc


def _digits(text: str) -> int:
    return int(re.sub(r"[^0-9]", "", text))


async def _fill_prefecture(page: Page, selector: str, value: str) -> None:
    """The prefecture field is a select on newer pages, a text box on older ones."""
    field = page.locator(selector)
    if await field.evaluate("e => e.tagName") == "SELECT":
        await field.select_option(label=value)
    else:
        await field.fill(value)


async def sign_up_and_buy(page: Page, stack: Stack, shop: Any, lang: str) -> tuple[str, str]:
    """Shop → product (1 year, 1 additional FQDN) → cart → sign up → bank transfer; the
    customer's e-mail and the order number shown."""
    t = T[lang]
    await page.goto(stack.tenant_url(shop.slug, f"/shop/?lang={lang}"))
    await page.get_by_role("link", name=f"{t['choose']} {shop.product_name}").click()
    await page.locator("#term_months").select_option("12")
    await page.get_by_label(t["fqdns"]).fill("1")
    await page.get_by_role("button", name=t["add"]).click()
    await page.wait_for_url("**/shop/cart")
    await page.get_by_role("link", name=t["checkout"]).click()
    await page.wait_for_url("**/shop/checkout/account")
    email = f"kaite-{lang}@customer-{lang}.example.jp"
    company = "株式会社買い手" if lang == "ja" else "Kaite Trading K.K."
    await page.locator("#up-organization_name").fill(company)
    await page.locator("#up-postal_code").fill("100-0005")
    await _fill_prefecture(page, "#up-prefecture", "東京都" if lang == "ja" else "Tokyo")
    await page.locator("#up-address").fill("千代田区丸の内1-1-1")
    await page.locator("#up-phone").fill("03-1234-5678")
    await page.locator("#up-display_name").fill("買い手 太郎")
    await page.locator("#up-email").fill(email)
    await page.locator("#up-password").fill(PASSWORD)
    await page.get_by_role("button", name=t["sign_up"]).click()
    await page.wait_for_url("**/shop/checkout/payment")
    await page.get_by_label(t["bank"]).check()
    await page.get_by_role("button", name=re.compile(re.escape(t["place"]))).click()
    await _arrive(page, re.compile(r".*/shop/orders/\d+(\?.*)?$"))
    assert await page.locator("#payment-status").inner_text() == t["awaiting"]
    heading = await page.get_by_role("heading", level=1).inner_text()
    found = ORDER_NUMBER.search(heading)
    assert found, f"no order number in {heading!r}"
    return email, found.group(0)


PASSWORD = "kaite pass phrase 2026"


async def confirm_transfer_in_console(page: Page, stack: Stack, shop: Any, lang: str) -> None:
    """The customer's transfer reaches the tenant's bank: its staff import the bank's file."""
    t = T[lang]
    reference = await page.locator("#payer-reference").inner_text()
    amount = _digits(await page.locator("#transfer-amount").inner_text())
    account = await page.locator("#transfer-account_number").inner_text()
    content = notice_file([Transfer(amount, f"{reference} ｶｲﾃ(ｶ")])
    content = content.replace(notice_header(), notice_header(account.strip()), 1)
    shop_page = await page.context.new_page()
    try:
        await shop_page.goto(stack.tenant_url(shop.slug, f"/console/login?lang={lang}"))
        await shop_page.locator("#email").fill(shop.owner_email)
        await shop_page.locator("#password").fill(shop.password)
        await shop_page.get_by_role("button", name=t["sign_in"]).click()
        await shop_page.wait_for_url("**/console/**")
        await shop_page.goto(stack.tenant_url(shop.slug, f"/console/transfers?lang={lang}"))
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "zengin.txt"
            path.write_bytes(content)
            await shop_page.locator("#file").set_input_files(str(path))
            await shop_page.get_by_role("button", name=t["import"]).click()
        await shop_page.locator("#import-result").wait_for()
    finally:
        await shop_page.close()


async def invoice_pdf_in_portal(page: Page, stack: Stack, shop: Any, order_number: str) -> bytes:
    """The portal's invoices page lists the order's invoice; its PDF downloads."""
    row = page.locator("tr", has_text=order_number)
    for _ in range(60):  # the workers issue it a moment after the order (the outbox relay)
        await page.goto(stack.tenant_url(shop.slug, "/portal/invoices"))
        if await row.count():
            break
        await page.wait_for_timeout(1000)
    link = row.get_by_role("link", name=re.compile(r"\.pdf$"))
    href = await link.get_attribute("href")
    assert href, "no PDF link"
    fetched = await page.evaluate(  # the browser's own fetch: its session and its resolver
        """async (url) => { const r = await fetch(url);
           const b = new Uint8Array(await r.arrayBuffer());
           return {status: r.status, head: Array.from(b)}; }""",
        href,
    )
    assert fetched["status"] == 200, fetched["status"]
    body = bytes(fetched["head"])
    assert body.startswith(b"%PDF-")
    return body


async def apply_for_certificate(
    page: Page, stack: Stack, shop: Any, lang: str, names: tuple[str, ...]
) -> str:
    """The voucher's page: CSR checked on the spot, then applied for by HTTP token; the
    certificate's page URL."""
    t = T[lang]
    voucher = page.locator("tbody tr a").first
    for _ in range(90):  # the workers fulfil the paid order a moment after the payment
        await page.goto(stack.tenant_url(shop.slug, f"/portal/certificates?lang={lang}"))
        if await voucher.count():
            break
        await page.wait_for_timeout(1000)
    await voucher.click()
    assert re.fullmatch(r"[0-9A-Z]{32}", await page.locator("#voucher-code").inner_text())
    csr = make_csr(names[0], names)
    await page.locator("#csr").fill(csr)
    await page.get_by_role("button", name=t["check_csr"]).click()
    assert await page.get_by_text(t["csr_ok"]).first.is_visible()
    await page.locator("#dcv-http-token").check()
    await page.get_by_role("button", name=t["apply"]).click()
    await page.wait_for_url(re.compile(r".*/portal/certificates/\d+\?notice=performed"))
    return page.url.split("?")[0]


async def pass_dcv(page: Page, stack: Stack, lang: str, names: tuple[str, ...]) -> None:
    """The customer serves the token the page shows; "check now" until issued."""
    token = await page.locator("#dcv-token").inner_text()
    for name in names:
        stack.customer_web.serve_token(name, token)
    for _ in range(10):
        await page.get_by_role("button", name=T[lang]["check_now"]).click()
        await page.wait_for_load_state()
        state = page.locator(".cert-state")
        if await state.get_attribute("data-state") == "issued":
            return
    raise AssertionError(f"not issued; state {await state.get_attribute('data-state')}")


async def _download(page: Page, name: str) -> bytes:
    async with page.expect_download() as waiting:
        await page.get_by_role("link", name=re.compile(re.escape(name))).first.click()
    return Path(await (await waiting.value).path()).read_bytes()


def _pems(bundle: bytes) -> list[str]:
    end = "-----END CERTIFICATE-----"
    return [part.strip() + "\n" + end + "\n" for part in bundle.decode().split(end)[:-1]]


def openssl_verify(pem: bytes, chain: bytes) -> None:
    certs, chained = _pems(pem), _pems(chain)
    with tempfile.TemporaryDirectory() as folder:
        leaf, middle, root = (Path(folder) / n for n in ("leaf.pem", "int.pem", "root.pem"))
        leaf.write_text(certs[0])
        middle.write_text(chained[0])
        root.write_text(chained[-1])
        done = subprocess.run(
            ["openssl", "verify", "-purpose", "sslserver", "-CAfile", str(root),
             "-untrusted", str(middle), str(leaf)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


async def buy_and_get_certificate(page: Page, stack: Stack, shop: Any, lang: str) -> Bought:
    names = (f"www.kaite-{lang}.test", f"kaite-{lang}.test")
    email, order_number = await sign_up_and_buy(page, stack, shop, lang)
    order_page = page.url
    pdf = await invoice_pdf_in_portal(page, stack, shop, order_number)
    assert pdf
    await stack.mailbox.wait_for(to=email, subject=order_number)  # the customer is written to
    await page.goto(order_page)
    await confirm_transfer_in_console(page, stack, shop, lang)
    certificate_url = await apply_for_certificate(page, stack, shop, lang, names)
    await pass_dcv(page, stack, lang, names)
    pem = await _download(page, T[lang]["pem"])
    chain = await _download(page, T[lang]["chain"])
    p7b = await _download(page, T[lang]["p7b"])
    leaf = x509.load_pem_x509_certificate(pem)
    san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sorted(san.get_values_for_type(x509.DNSName)) == sorted(names)
    assert len(pkcs7.load_der_pkcs7_certificates(p7b)) == pem.count(b"BEGIN CERTIFICATE")
    openssl_verify(pem, chain)
    issued = await stack.mailbox.wait_for(to=email, subject=names[0])
    assert any(link.startswith(stack.tenant_url(shop.slug, "/portal/")) for link in issued.links)
    return Bought(email, PASSWORD, order_number, certificate_url, names)
