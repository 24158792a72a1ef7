"""Page steps of journey 3, "the tenant sets up what it sells" (branding apart), for every
journey that needs a shop with something to sell.

``await set_up_shop(page, stack, joined, lang)`` starts where ``steps_join.join`` leaves the
page (signed in to the new tenant's console) and does, through pages only:

1. the tenant enters its DigiCert account pointing at ``stack.digicert_api`` and presses
   *save and test connection*, first with a wrong key (the page names the refused key), then
   with the right one;
2. the operator opens the tenant on the operator pages and sets its DigiCert contract
   (PayGo, NET30EOM, DigiCert as invoice issuer, the price table CSV); a registration number
   with a wrong check digit is refused before anything is stored;
3. the tenant enables two payment methods (bank transfer and wallet);
4. the tenant adds Basic OV from its provider's catalogue and prices it: one year at a fixed
   "22,000" with each extra FQDN at "22000" typed in full-width digits, wildcards "93,120円",
   two years at a 20 % markup over the two-year wholesale price; and narrows its payment
   methods to bank transfer.

It returns ``Shop``: what the customer journey needs to find the product in the shop.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from playwright.async_api import Page

from tests.journeys.stack import Stack
from tests.journeys.steps_operator import sign_in_operator

PRICE_TABLE = (
    "製品名,定価,割引率,提供価格,年数,種別,製品コード\n"
    "Basic OV,20000,0.0,17600,1,base,ssl_basic\n"
    "Basic OV,20000,0.0,26400,1,additional_fqdn,ssl_basic\n"
    "Basic OV,20000,0.0,93120,1,wildcard,ssl_basic\n"
    "Basic OV,40000,0.0,24800,2,base,ssl_basic\n"
    "Basic OV,40000,0.0,52000,2,additional_fqdn,ssl_basic\n"
    "Basic OV,40000,0.0,168960,2,wildcard,ssl_basic\n"
    "Basic EV,60000,0.0,33760,1,base,ssl_ev_basic\n"
    "Basic EV,60000,0.0,58400,1,additional_fqdn,ssl_ev_basic\n"
).encode()
"""The price table DigiCert sends the operator (the sandbox's products and prices)."""

CONTRACT = {
    "issuer.name": "デジサート・ジャパン合同会社",
    "issuer.registration_number": "T7000012050002",
    "issuer.postal_code": "104-0061",
    "issuer.address": "東京都中央区銀座6-10-1 GINZA SIX 8階",
    "issuer.phone": "03-4560-3971",
    "issuer.email": "billing@digicert.example.jp",
    "bank_account.bank_name": "三井住友銀行",
    "bank_account.branch_name": "ツバキ支店",
    "bank_account.branch_code": "879",
    "bank_account.account_number": "0249302",
    "bank_account.account_holder": "デジサートジャパン(ド",
}
BANK_TRANSFER = {
    "bank_code": "0009",
    "bank_name": "三井住友銀行",
    "branch_code": "001",
    "branch_name": "本店営業部",
    "account_number": "1234567",
    "holder_kana": "ショウメイホスティング(カ",
}
YEN_TYPED = "22,000"
YEN_FULL_WIDTH = "２２０００"  # noqa: RUF001 (as typed with a Japanese input method)
WILDCARD_TYPED = "93,120円"
MARKUP = "20"

TEST_CONNECTION = {"ja": "保存して接続テスト", "en": "Save and test connection"}
SAVE = {"ja": "保存する", "en": "Save"}
SAVE_CONTRACT = {"ja": "契約を保存", "en": "Save the contract"}
CONTRACT_LINK = {"ja": "DigiCert 契約", "en": "DigiCert contract"}
ADD = {"ja": "カタログに追加", "en": "Add to catalog"}
REFUSED_KEY = {"ja": "API キーが拒否されました", "en": "refused the API key"}
CONNECTED = {"ja": "接続できました", "en": "Connection OK"}
PRODUCT_NAME = {"ja": "ベーシックOV", "en": "Basic OV"}
PRICE_SHOWN = {"ja": "22,000円", "en": "¥22,000"}


class Tenant(Protocol):
    """What the steps need of ``steps_join.Joined``."""

    @property
    def slug(self) -> str: ...

    @property
    def owner_email(self) -> str: ...

    @property
    def password(self) -> str: ...


@dataclass(frozen=True)
class Shop:
    """The set-up shop: its subdomain, its owner's sign-in, and the product on sale (name in
    the journey's language, its console page, one-year price as the shop prints it; it
    accepts bank transfer only)."""

    slug: str
    owner_email: str
    password: str
    product_name: str
    product_path: str
    one_year_price: str


async def enter_provider_account(page: Page, stack: Stack, slug: str, lang: str) -> None:
    """The tenant's DigiCert account, tested with a wrong key first, then the right one."""
    await page.goto(stack.tenant_url(slug, f"/console/providers/provider/digicert?lang={lang}"))
    await page.locator("#base_url").fill(stack.digicert_api)
    await page.locator("#api_key").fill("not-the-key-" + slug)
    await page.get_by_role("button", name=TEST_CONNECTION[lang]).click()
    result = page.locator("#connection-result")
    await result.wait_for()
    assert await result.get_attribute("data-ok") == "no"
    assert REFUSED_KEY[lang] in await result.inner_text()
    await page.locator("#api_key").fill(stack.digicert_api_key)
    await page.get_by_role("button", name=TEST_CONNECTION[lang]).click()
    await page.locator('#connection-result[data-ok="yes"]').wait_for()
    assert CONNECTED[lang] in await page.locator("#connection-result").inner_text()


async def signed_in_operator(page: Page, stack: Stack, lang: str) -> None:
    """The operator's pages, signing in when the browser is not signed in yet."""
    await page.goto(stack.base_url(f"/operator/tenants?status=all&lang={lang}"))
    if "/operator/login" in page.url:
        await sign_in_operator(page, stack, lang)


async def set_contract(page: Page, stack: Stack, slug: str, lang: str) -> None:
    """The operator sets the tenant's DigiCert contract and uploads its price table; a
    registration number with a wrong check digit is refused first, next to its field."""
    await signed_in_operator(page, stack, lang)
    await page.goto(stack.base_url(f"/operator/tenants?status=all&lang={lang}"))
    await page.get_by_role("link", name=slug, exact=True).click()
    await page.wait_for_url("**/operator/tenants/*")
    await page.get_by_role("link", name=CONTRACT_LINK[lang]).click()
    await page.wait_for_url("**/digicert/contract*")
    await _fill_contract(page, {**CONTRACT, "issuer.registration_number": "T7000012050003"})
    await page.get_by_role("button", name=SAVE_CONTRACT[lang]).click()
    await page.locator('[id="issuer.registration_number-error"]').wait_for()
    await _fill_contract(page, CONTRACT)
    await page.get_by_role("button", name=SAVE_CONTRACT[lang]).click()
    await page.wait_for_url("**notice=saved")
    await page.locator("#price-table").wait_for()


async def _fill_contract(page: Page, values: dict[str, str]) -> None:
    await page.locator("#contract_type").select_option("pay_as_you_go")
    await page.locator("#payment_term").select_option("NET30EOM")
    await page.locator("#contract_end").fill("2030-03-31")
    await page.locator("#file").set_input_files(
        {"name": "digicert-price-table.csv", "mimeType": "text/csv", "buffer": PRICE_TABLE}
    )
    for name, value in values.items():
        await page.locator(f'[id="{name}"]').fill(value)
    await page.locator('[id="bank_account.account_type"]').select_option("当座")


async def enable_payment_methods(page: Page, stack: Stack, slug: str, lang: str) -> None:
    """Bank transfer (the tenant's account for transfers) and the prepaid wallet."""
    await page.goto(stack.tenant_url(slug, f"/console/providers/payment/bank_transfer?lang={lang}"))
    for name, value in BANK_TRANSFER.items():
        await page.locator(f"#{name}").fill(value)
    await page.locator("#account_type").select_option("1")
    await page.get_by_role("button", name=SAVE[lang], exact=True).click()
    await page.wait_for_url("**/console/providers?notice=saved")
    await page.goto(stack.tenant_url(slug, f"/console/providers/payment/wallet?lang={lang}"))
    await page.get_by_role("button", name=SAVE[lang], exact=True).click()
    await page.wait_for_url("**/console/providers?notice=saved")


async def add_product(page: Page, stack: Stack, slug: str, lang: str) -> str:
    """Basic OV from the catalogue, priced per term; returns its console path."""
    await page.goto(stack.tenant_url(slug, f"/console/products/catalogue?lang={lang}"))
    row = page.locator('tr[data-code="ssl_basic"]')
    await row.get_by_role("button", name=ADD[lang]).click()
    await page.wait_for_url(re.compile(r".*/console/products/\d+\?notice=product_added"))
    path = page.url.split("?")[0].split(f":{stack.port}")[1]
    price_form = page.locator('form[action$="/price"]')
    await page.locator("#term_months").select_option("12")
    await page.locator("#mode-fixed").check()
    await page.locator("#base").fill(YEN_TYPED)
    await page.locator("#per_additional_fqdn").fill(YEN_FULL_WIDTH)
    await page.locator("#per_wildcard").fill(WILDCARD_TYPED)
    await price_form.get_by_role("button", name=SAVE[lang]).click()
    await page.wait_for_url("**notice=saved")
    await page.locator("#term_months").select_option("24")
    await page.locator("#mode-markup").check()
    await page.locator("#markup").fill(MARKUP)
    await price_form.get_by_role("button", name=SAVE[lang]).click()
    await page.wait_for_url("**notice=saved")
    methods = page.locator('form[action$="/payment-methods"]')
    await page.locator("#scope-some").check()
    await page.locator("#method-bank_transfer").check()
    await page.locator("#method-wallet").uncheck()
    await methods.get_by_role("button", name=SAVE[lang]).click()
    await page.wait_for_url("**notice=saved")
    return path


async def set_up_shop(
    page: Page,
    stack: Stack,
    joined: Tenant,
    lang: str,
    shot: Callable[[str], Awaitable[object]] | None = None,
) -> Shop:
    """Journey 3 for the tenant ``joined`` (``steps_join.Joined``); the page is left on the
    product's console page. ``shot`` (the journey fixture) takes a screenshot after each step."""

    async def done(step: str) -> None:
        if shot is not None:
            await shot(step)

    slug = joined.slug
    await enter_provider_account(page, stack, slug, lang)
    await done("provider-account-connected")
    await set_contract(page, stack, slug, lang)
    await done("operator-contract")
    await enable_payment_methods(page, stack, slug, lang)
    path = await add_product(page, stack, slug, lang)
    await done("product-priced")
    return Shop(
        slug, joined.owner_email, joined.password, PRODUCT_NAME[lang], path, PRICE_SHOWN[lang]
    )
