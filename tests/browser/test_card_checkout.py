"""A customer buys a certificate by card with 3-D Secure (localstripe): Stripe.js makes the
PaymentMethod, shomei charges it, the issuer's check runs in the page, the signed return
route applies the payment once and the order page says 入金確認済."""

from __future__ import annotations

from core.clock import SystemClock
from core.context import tenant_scope
from core.payments.tables import AppliedOutcome
from tests.browser.stripe_js import route_stripe
from tests.plugins.card.test_card_payments import THREE_D_SECURE_CARD
from tests.web.browser import PASSWORD
from tests.web.storefront.helpers import make_store


async def test_customer_buys_a_certificate_by_card_with_3d_secure(
    card_server, localstripe, page, screenshot
):
    store = await make_store(SystemClock(), card_server.settings, card=True)
    await route_stripe(page, localstripe)
    await page.goto(card_server.tenant_url(store.slug, f"/shop/products/{store.product_id}"))
    await page.get_by_label("数量").fill("1")
    await page.get_by_role("button", name="カートに入れる").click()
    await page.get_by_role("link", name="ご購入手続きへ").click()
    await page.locator("#email").fill(store.shop.customer_email)
    await page.locator("#password").fill(PASSWORD)
    await page.get_by_role("button", name="ログインして進む").click()
    await page.get_by_label("クレジットカード").check()
    await page.get_by_role("button", name="注文を確定する").click()
    await page.wait_for_url("**/pay")
    await page.get_by_placeholder("number").fill(THREE_D_SECURE_CARD)
    await page.get_by_placeholder("exp_month").fill("12")
    await page.get_by_placeholder("exp_year").fill("34")
    await page.get_by_placeholder("cvc").fill("123")
    await page.get_by_placeholder("postal_code").fill("10000")
    await screenshot("1-card-form")
    await page.get_by_role("button", name="33,000円を支払う").click()
    challenge = page.get_by_role("button", name="Complete authentication")
    await challenge.wait_for()
    await screenshot("2-3d-secure")
    await challenge.click()
    await page.wait_for_url("**/shop/orders/*payment=paid*")
    assert await page.locator("#payment-status").inner_text() == "入金確認済"
    await screenshot("3-paid")
    order_id = int(page.url.split("/shop/orders/")[1].split("?")[0])
    with tenant_scope(store.shop.tenant):
        applied = await AppliedOutcome.count().where(
            (AppliedOutcome.tenant_id == store.shop.tenant.id)
            & (AppliedOutcome.payable_id == order_id)
        )
    assert applied == 1
