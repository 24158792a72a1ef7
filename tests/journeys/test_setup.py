"""Journey 3, "the tenant sets up what it sells" (branding apart), from an empty install and
through pages only: a hosting company joins (``steps_join``), enters its DigiCert account and
tests the connection (a wrong key is named, the right one connects), the operator sets its
DigiCert contract with the price table, the tenant enables payment methods, adds a product
from its provider's catalogue, prices each term (a fixed price typed "22,000" and in
full-width digits, a markup over the two-year wholesale price), narrows the product's payment
methods, and the product shows in the tenant's shop at its price."""

from __future__ import annotations

from tests.journeys.stack import Stack
from tests.journeys.steps_join import join
from tests.journeys.steps_setup import set_up_shop

SAVE = {"ja": "保存する", "en": "Save"}
TWELVE = {
    "ja": "22,000円（追加 FQDN 1 件ごとに +22,000円、ワイルドカード 1 件ごとに +93,120円）",  # noqa: RUF001
    "en": "¥22,000 (each extra FQDN +¥22,000, each wildcard +¥93,120)",
}
# two years: the two-year wholesale (24,800 / 52,000 / 168,960) plus 20 %
TWENTY_FOUR = {
    "ja": "29,760円（追加 FQDN 1 件ごとに +62,400円、ワイルドカード 1 件ごとに +202,752円）",  # noqa: RUF001
    "en": "¥29,760 (each extra FQDN +¥62,400, each wildcard +¥202,752)",
}
RULE = {"ja": "仕入価格に 20 % 上乗せ", "en": "Markup 20 % over wholesale"}
YEN_REFUSED = {
    "ja": "基本価格(1ドメイン): 金額は円単位の整数で入力してください",
    "en": "Base price (one name): enter an amount in whole yen",
}
SHOP_PRICES = {  # each term with its own extras
    "ja": ("22,000円", "29,760円", "62,400円", "202,752円"),
    "en": ("¥22,000", "¥29,760", "¥62,400", "¥202,752"),
}


async def test_the_tenant_sets_up_what_it_sells(stack: Stack, page, lang, shot):
    joined = await join(page, stack, lang)
    shop = await set_up_shop(page, stack, joined, lang, shot)

    console = page.locator("#terms")  # the product's console page, each term its own prices
    assert TWELVE[lang] in await console.locator('tr[data-term="12"]').inner_text()
    two_years = await console.locator('tr[data-term="24"]').inner_text()
    assert TWENTY_FOUR[lang] in two_years and RULE[lang] in two_years
    assert await page.locator("#method-bank_transfer").is_checked()
    assert not await page.locator("#method-wallet").is_checked()

    # a price a person cannot mean is refused next to its field, in the page's language
    await page.locator("#term_months").select_option("12")
    await page.locator("#mode-fixed").check()
    await page.locator("#base").fill("二万円")
    await page.locator('form[action$="/price"]').get_by_role("button", name=SAVE[lang]).click()
    await page.locator("#base-error").wait_for()
    assert YEN_REFUSED[lang] in await page.locator("#base-error").inner_text()
    assert YEN_REFUSED[lang] in await page.locator(".error-summary").inner_text()
    await shot("price-refused")

    await page.goto(stack.tenant_url(shop.slug, f"/shop/?lang={lang}"))
    product = page.locator("article.product", has_text=shop.product_name)
    await product.wait_for()
    prices = await product.inner_text()
    assert all(price in prices for price in SHOP_PRICES[lang])
    assert shop.one_year_price in prices
    assert await page.locator("article.product").count() == 1  # Basic EV was not added
    await shot("shop")
