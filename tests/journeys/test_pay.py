"""Journey 4, card and wallet: from an empty install, a hosting company joins and sets up its
shop through pages, enters its Stripe keys in the console; a customer signs up in the shop,
pays by a card whose bank asks for 3-D Secure (completed in the offline Stripe.js stand-in
against localstripe) and sees the order paid in the portal, tops up a wallet by card, pays a
second order from it, and finds both orders' invoices (PDF) in the portal."""

from __future__ import annotations

from tests.journeys.steps_buy import invoice_pdf_in_portal
from tests.journeys.steps_join import join
from tests.journeys.steps_pay import (
    WORDS,
    buy_by_wallet,
    enable_card,
    sign_up_and_buy_by_card,
    top_up_by_card,
)
from tests.journeys.steps_setup import set_up_shop


async def test_pay(stack, lang, page, shot):
    joined = await join(page, stack, lang)
    shop = await set_up_shop(page, stack, joined, lang)
    await enable_card(page, stack, shop, lang)
    await shot("1-card-enabled")
    await page.context.clear_cookies()

    by_card = await sign_up_and_buy_by_card(page, stack, shop, lang, shot)
    await shot("2-paid-by-card")
    await page.goto(stack.tenant_url(shop.slug, f"/portal/orders/{by_card.id}?lang={lang}"))
    shown = await page.locator("main").inner_text()
    assert WORDS[lang]["confirmed"] in shown and by_card.number in shown

    wallet = await top_up_by_card(page, stack, shop, lang, 30000)
    await shot("3-wallet-topped-up")
    by_wallet = await buy_by_wallet(page, stack, shop, lang, wallet)
    assert by_wallet.number != by_card.number
    await shot("4-paid-by-wallet")
    await page.goto(stack.tenant_url(shop.slug, f"/portal/orders/{by_wallet.id}?lang={lang}"))
    shown = await page.locator("main").inner_text()
    assert WORDS[lang]["confirmed"] in shown and by_wallet.number in shown

    for paid in (by_card, by_wallet):
        await invoice_pdf_in_portal(page, stack, shop, paid.number)  # listed, a PDF
    await shot("5-portal-invoices")
