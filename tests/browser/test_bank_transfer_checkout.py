"""A customer buys a certificate in the shop and pays by bank transfer; finance imports the
bank's Zengin file (through the API) and the customer's order page says 入金確認済."""

from __future__ import annotations

import httpx

from core.clock import SystemClock
from tests.plugins.bank_transfer.builder import Transfer, notice_file
from tests.web.browser import PASSWORD
from tests.web.storefront.helpers import make_store


async def test_customer_pays_by_bank_transfer_and_sees_payment_confirmed(
    live_server, page, screenshot
):
    store = await make_store(SystemClock(), live_server.settings)
    await page.goto(live_server.tenant_url(store.slug, "/shop/?lang=ja"))
    assert await page.get_by_text("33,000円").first.is_visible()  # 1 year, incl. tax
    await page.get_by_role("link", name="選択する 企業認証SSL").click()
    await page.get_by_label("期間").select_option("24")
    await page.get_by_label("追加FQDN数").fill("x")
    await page.get_by_role("button", name="カートに入れる").click()
    error = page.locator("#fqdns-error")  # the field is named and the input kept
    assert await error.inner_text() == "追加FQDN数は0〜250の半角数字で入力してください。"
    assert await page.get_by_label("期間").input_value() == "24"
    await screenshot("1-field-error")
    await page.get_by_label("追加FQDN数").fill("2")
    await page.get_by_role("button", name="カートに入れる").click()
    await page.wait_for_url("**/shop/cart")
    assert await page.get_by_text("68,200円").is_visible()  # (60,000 + 2 x 1,000) x 1.1
    await screenshot("2-cart")
    await page.get_by_role("link", name="ご購入手続きへ").click()
    await page.wait_for_url("**/shop/checkout/account")
    trail = page.get_by_role("list", name="お手続きの進み具合")
    assert await trail.locator("[aria-current=step]").inner_text() == "お客様情報"
    await page.locator("#email").fill(store.shop.customer_email)
    await page.locator("#password").fill(PASSWORD)
    await page.get_by_role("button", name="ログインして進む").click()
    await page.wait_for_url("**/shop/checkout/payment")
    await page.get_by_label("銀行振込").check()
    await screenshot("3-payment-method")
    await page.get_by_role("button", name="注文を確定する").click()
    await page.wait_for_url("**/shop/orders/*")
    status = page.locator("#payment-status")
    assert await status.inner_text() == "入金待ち"
    reference = await page.locator("#payer-reference").inner_text()
    await screenshot("4-transfer-instructions")
    order_id = int(page.url.rsplit("/", 1)[1].split("?")[0])

    async with httpx.AsyncClient(base_url=live_server.url("127.0.0.1")) as api:
        order = await api.get(f"/api/v1/orders/{order_id}", headers=store.headers)
        total = order.json()["total"]
        assert total == 68_200
        imported = await api.post(
            "/api/v1/bank-transfers/imports",
            content=notice_file([Transfer(total, f"{reference} ｵｷﾔｸｻﾏ(ｶ")]),
            headers=store.headers,
        )
        assert imported.status_code == 200, imported.text

    await page.reload()
    assert await status.inner_text() == "入金確認済"
    await screenshot("5-payment-confirmed-ja")
    await page.goto(page.url.split("?")[0] + "?lang=en")
    assert await page.locator("#payment-status").inner_text() == "Payment confirmed"
    await screenshot("6-payment-confirmed-en")
