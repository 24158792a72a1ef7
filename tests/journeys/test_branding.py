"""Journey 3, branding: a tenant that joined through the pages brands its shop from the
console (name, logo file, colours, support address, footer, 特定商取引法 notices); its
customers then see that brand, and never shomei's, on the shop (its host's ``/``), the
portal's sign-in and the legal notices page."""

from __future__ import annotations

from playwright.async_api import expect

from tests.journeys.stack import Stack
from tests.journeys.steps_brand import (
    LEGAL_LINK,
    BrandInput,
    see_brand,
    set_brand,
    sign_in_console,
)
from tests.journeys.steps_join import join

PORTAL_SIGN_IN = {"ja": "ログイン", "en": "Sign in"}


async def test_a_joined_tenant_brands_its_shop_portal_and_legal_page(
    stack: Stack, page, lang, shot
):
    joined = await join(page, stack, lang)
    await sign_in_console(page, stack, lang, joined.slug, joined.owner_email, joined.password)
    brand = BrandInput()
    own = (joined.company,)
    await set_brand(page, stack, lang, joined.slug, brand)
    await shot("console-branding")

    await page.context.clear_cookies()  # from here on, a customer
    await page.goto(stack.tenant_url(joined.slug, f"/?lang={lang}"))
    assert page.url.startswith(stack.tenant_url(joined.slug, "/shop/"))
    await see_brand(page, brand, own)
    css = await page.evaluate("getComputedStyle(document.querySelector('.tenant-brand')).color")
    assert css == "rgb(10, 61, 98)"  # the primary colour #0A3D62
    await shot("shop")

    await page.goto(stack.tenant_url(joined.slug, f"/portal/login?lang={lang}"))
    await see_brand(page, brand, own)
    await expect(page.get_by_role("button", name=PORTAL_SIGN_IN[lang], exact=True)).to_be_visible()
    await shot("portal-login")

    await page.locator("footer.footer").get_by_role("link", name=LEGAL_LINK[lang]).click()
    await page.wait_for_url("**/legal/tokushoho")
    await see_brand(page, brand, own)
    notices = page.locator("table.legal-notices")
    for text in brand.legal.values():
        await expect(notices).to_contain_text(text)
    await expect(notices).to_contain_text(brand.support_email)
    await shot("legal-notices")
