"""Page steps of journey 4's card and wallet halves, "a customer buys by card (3-D Secure) and
by wallet", for every journey that needs a paid order.

Starting from ``steps_setup.set_up_shop`` (the owner signed in to the console):

- ``enable_card(page, stack, shop, lang)``: the tenant enters its Stripe keys (test keys of
  the loopback localstripe) on the card's console page and lets the product be paid by every
  method it has set up (card, bank transfer, wallet);
- ``sign_up_and_buy_by_card(page, stack, shop, lang, shot)``: a new customer puts the product
  in the cart, signs up at checkout, pays by card with a card whose bank asks for 3-D Secure,
  completes it in the sandbox's Stripe.js stand-in and lands on the paid order;
- ``top_up_by_card(page, stack, shop, lang, amount)``: the customer opens a wallet in the
  portal and tops it up by card (3-D Secure again); returns the wallet ID the portal shows;
- ``buy_by_wallet(page, stack, shop, lang, wallet)``: a second purchase paid from the wallet.

Each returns (or leaves) the page where a person sees the result.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from playwright.async_api import Page

from tests.journeys.stack import Stack
from tests.journeys.steps_buy import ORDER_NUMBER
from tests.journeys.steps_setup import SAVE, Shop

THREE_D_SECURE_CARD = "4000002760003184"
"""localstripe's card whose bank asks for 3-D Secure on every payment."""
WALLET_PASSWORD = "wallet pass 2026"
CUSTOMER_PASSWORD = "customer pass 2026!"
_counter = itertools.count(1)


@dataclass(frozen=True)
class Paid:
    """A paid order: its id (in its address) and the number people read (``ORD-2026-000123``)."""

    id: int
    number: str


WORDS = {
    "ja": {
        "choose": "選択する",
        "add": "カートに入れる",
        "checkout": "ご購入手続きへ",
        "sign_up": "登録して進む",
        "card": "クレジットカード",
        "wallet": "おさいぽ!（ウォレット）",  # noqa: RUF001 (as the shop prints it)
        "place": "注文を確定する",
        "pay": "を支払う",
        "complete_3ds": "認証を完了する",
        "confirmed": "入金確認済",
        "open_wallet": "ウォレットを開設する",
        "top_up": "チャージする",
        "topped_up": "残高に反映しました",
    },
    "en": {
        "choose": "Choose",
        "add": "Add to cart",
        "checkout": "Check out",
        "sign_up": "Register and continue",
        "card": "Credit card",
        "wallet": "Wallet",
        "place": "Place the order",
        "pay": "Pay ",
        "complete_3ds": "Complete authentication",
        "confirmed": "Payment confirmed",
        "open_wallet": "Open a wallet",
        "top_up": "Top up",
        "topped_up": "added to your balance",
    },
}


async def enable_card(page: Page, stack: Stack, shop: Shop, lang: str) -> None:
    """The tenant's Stripe keys (localstripe takes any test key) and every method for the
    product."""
    slug = shop.slug
    await page.goto(stack.tenant_url(slug, f"/console/providers/payment/card?lang={lang}"))
    await page.locator("#publishable_key").fill(f"pk_test_{slug}")
    await page.locator("#secret_key").fill(f"sk_test_{slug}")
    await page.locator("#webhook_secret").fill(f"whsec_{slug}")
    await page.get_by_role("button", name=SAVE[lang], exact=True).click()
    await page.wait_for_url("**/console/providers?notice=saved")
    await page.goto(stack.tenant_url(slug, f"{shop.product_path}?lang={lang}"))
    await page.locator("#scope-all").check()
    methods = page.locator('form[action$="/payment-methods"]')
    await methods.get_by_role("button", name=SAVE[lang]).click()
    await page.wait_for_url("**notice=saved")


async def _card(page: Page, number: str) -> None:
    """The sandbox's card input (the Stripe.js stand-in's four fields)."""
    await page.locator("#sandbox-card-number").fill(number)
    await page.locator("#sandbox-card-exp-month").fill("12")
    await page.locator("#sandbox-card-exp-year").fill("34")
    await page.locator("#sandbox-card-cvc").fill("123")


async def _complete_3ds(
    page: Page, lang: str, shot: Callable[[str], Awaitable[object]] | None = None
) -> None:
    """Answer the sandbox bank's 3-D Secure question: complete it."""
    challenge = page.get_by_role("dialog")
    await challenge.wait_for()
    if shot is not None:
        await shot("3d-secure")
    await challenge.get_by_role("button", name=WORDS[lang]["complete_3ds"]).click()


async def _to_checkout(page: Page, stack: Stack, shop: Shop, lang: str) -> None:
    words = WORDS[lang]
    await page.goto(stack.tenant_url(shop.slug, f"/shop/?lang={lang}"))
    await page.get_by_role("link", name=words["choose"]).first.click()
    await page.get_by_role("button", name=words["add"]).click()
    await page.get_by_role("link", name=words["checkout"]).click()


async def _paid(page: Page, lang: str, order_id: int) -> Paid:
    """The order page after payment: it says the payment is confirmed and shows the number."""
    await page.wait_for_url(f"**/shop/orders/{order_id}*")
    status = page.locator("#payment-status")
    assert (await status.inner_text()).strip() == WORDS[lang]["confirmed"]
    number = ORDER_NUMBER.search(await page.locator("main").inner_text())
    assert number, "the order page shows the order's number"
    return Paid(order_id, number.group(0))


async def _place(page: Page, lang: str, method: str) -> int:
    words = WORDS[lang]
    await page.get_by_label(words[method], exact=True).check()
    await page.get_by_role("button", name=re.compile(re.escape(words["place"]))).click()
    await page.wait_for_url("**/shop/orders/*/pay")
    return int(page.url.rsplit("/", 2)[1])


async def sign_up_and_buy_by_card(
    page: Page, stack: Stack, shop: Shop, lang: str, shot: Callable[[str], Awaitable[object]]
) -> Paid:
    """A new customer buys the product by a 3-D Secure card; the page is left on the paid
    order."""
    words = WORDS[lang]
    email = f"buyer{next(_counter)}@{shop.slug}.example.jp"
    await _to_checkout(page, stack, shop, lang)
    for name, value in {
        "organization_name": "株式会社 買い手",
        "postal_code": "530-0001",
        "prefecture": "大阪府",
        "address": "大阪市北区梅田1-1-1",
        "phone": "06-1234-5678",
        "display_name": "佐藤 花子",
        "email": email,
        "password": CUSTOMER_PASSWORD,
    }.items():
        await page.locator(f"#up-{name}").fill(value)
    await page.get_by_role("button", name=words["sign_up"]).click()
    order_id = await _place(page, lang, "card")
    await _card(page, THREE_D_SECURE_CARD)
    await shot("card-details")
    await page.get_by_role("button", name=re.compile(re.escape(words["pay"]))).click()
    await _complete_3ds(page, lang, shot)
    await page.wait_for_url("**/shop/orders/*payment=paid*")
    return await _paid(page, lang, order_id)


async def top_up_by_card(page: Page, stack: Stack, shop: Shop, lang: str, amount: int) -> str:
    """Open a wallet in the portal and top it up by card; returns the wallet ID shown."""
    words = WORDS[lang]
    await page.goto(stack.tenant_url(shop.slug, f"/portal/wallet?lang={lang}"))
    await page.locator("#password").fill(WALLET_PASSWORD)
    await page.locator("#password_confirm").fill(WALLET_PASSWORD)
    await page.get_by_role("button", name=words["open_wallet"]).click()
    await page.wait_for_url("**notice=wallet_opened")
    wallet = (await page.locator(".facts dd").first.inner_text()).strip()
    await page.locator('input[name="method"][value="card"]').check()
    await page.locator("#amount").fill(str(amount))
    await _card(page, THREE_D_SECURE_CARD)
    await page.get_by_role("button", name=words["top_up"]).click()
    await _complete_3ds(page, lang)
    await page.wait_for_url("**notice=topup_credited")
    assert words["topped_up"] in await page.get_by_role("status").first.inner_text()
    return wallet


async def buy_by_wallet(page: Page, stack: Stack, shop: Shop, lang: str, wallet: str) -> Paid:
    """The signed-in customer buys the product again, paid from the wallet; the page is left
    on the paid order."""
    words = WORDS[lang]
    await _to_checkout(page, stack, shop, lang)
    order_id = await _place(page, lang, "wallet")
    if await page.locator("#wallet_id").count():
        await page.locator("#wallet_id").fill(wallet)
        await page.locator("#password").fill(WALLET_PASSWORD)
    await page.locator("#confirm").check()
    await page.get_by_role("button", name=re.compile(re.escape(words["pay"]))).click()
    return await _paid(page, lang, order_id)
