"""Page steps of a tenant's branding (``/console/branding``) and what its customers then see.

``sign_in_console`` signs a tenant's staff member in on the tenant's host; ``set_brand`` fills
the branding page (name, colours, support address, footer), uploads a logo file and saves the
特定商取引法 notices; ``see_brand`` checks that a customer-facing page shows the brand (name,
logo loaded, footer, support address, the link to the notices) and no shomei branding.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from PIL import Image, ImageDraw
from playwright.async_api import Page, expect

from tests.journeys.stack import Stack

SIGN_IN = {"ja": "ログイン", "en": "Sign in"}
SAVED = {"ja": "保存しました。", "en": "Saved."}
LOGO_SAVED = {"ja": "ロゴを保存しました", "en": "The logo is saved"}
SAVE_BRAND = {"ja": "表示名・色・連絡先を保存", "en": "Save name, colours and contact"}
UPLOAD = {"ja": "ロゴをアップロード", "en": "Upload the logo"}
SAVE_LEGAL = {"ja": "表記を保存", "en": "Save the notices"}
LEGAL_LINK = {
    "ja": "特定商取引法に基づく表記",
    "en": "Notation based on the Specified Commercial Transactions Act",
}
SHOMEI = re.compile(r"shomei|証明(?!書)", re.IGNORECASE)


def logo_png(colour: tuple[int, int, int] = (10, 61, 98)) -> bytes:
    """A 240 by 80 PNG logo: a coloured bar with a white mark."""
    image = Image.new("RGB", (240, 80), colour)
    ImageDraw.Draw(image).ellipse((12, 12, 68, 68), fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@dataclass(frozen=True)
class BrandInput:
    name: str = "さくらSSLストア"
    primary_colour: str = "#0A3D62"
    accent_colour: str = "#F6B93B"
    support_email: str = "support@sakura-ssl.example.jp"
    footer_text: str = "© さくらSSLストア株式会社"
    legal: dict[str, str] = field(
        default_factory=lambda: {
            "seller": "さくらSSLストア株式会社",
            "manager": "桜井 太郎",
            "address": "〒104-0061 東京都中央区銀座6-10-1",
            "phone": "03-1234-5678",
            "prices": "各商品ページに表示(税込)",
            "extra_fees": "銀行振込の振込手数料はお客様のご負担となります。",
            "payment_methods": "クレジットカード、銀行振込",
            "payment_timing": "カード: ご注文時 / 銀行振込: ご注文から7日以内",
            "delivery": "ご入金確認後、直ちにバウチャーコードをお届けします。",
            "returns": "デジタル商品のため、お届け後の返品はできません。",
        }
    )


async def sign_in_console(
    page: Page, stack: Stack, lang: str, slug: str, email: str, password: str
) -> None:
    """Sign a staff member in on the tenant's console (kept when already signed in)."""
    await page.goto(stack.tenant_url(slug, f"/console/login?lang={lang}"))
    if "/console/login" not in page.url:
        return
    await page.locator("#email").fill(email)
    await page.locator("#password").fill(password)
    await page.get_by_role("button", name=SIGN_IN[lang], exact=True).click()
    await page.wait_for_url(re.compile(r".*/console/(\?.*)?$"))


async def set_brand(page: Page, stack: Stack, lang: str, slug: str, brand: BrandInput) -> None:
    """On ``/console/branding`` (signed in with ``tenant.settings``): every part, saved."""
    await page.goto(stack.tenant_url(slug, f"/console/branding?lang={lang}"))
    for name in ("name", "primary_colour", "accent_colour", "support_email", "footer_text"):
        await page.locator(f"#{name}").fill(getattr(brand, name))
    await page.get_by_role("button", name=SAVE_BRAND[lang]).click()
    await expect(page.get_by_role("status")).to_contain_text(SAVED[lang])

    await page.locator("#logo").set_input_files(
        {"name": "logo.png", "mimeType": "image/png", "buffer": logo_png()}
    )
    await page.get_by_role("button", name=UPLOAD[lang]).click()
    await expect(page.get_by_role("status")).to_contain_text(LOGO_SAVED[lang])

    for name, text in brand.legal.items():
        await page.locator(f"#{name}").fill(text)
    await page.get_by_role("button", name=SAVE_LEGAL[lang]).click()
    await expect(page.get_by_role("status")).to_contain_text(SAVED[lang])


async def see_brand(page: Page, brand: BrandInput, own: tuple[str, ...] = ()) -> None:
    """The page in view shows the brand and no shomei branding (``own``: the tenant's own
    texts, such as a company name with 証明 in it, which are its to show)."""
    top = page.locator("header.topbar .tenant-brand")
    await expect(top).to_contain_text(brand.name)
    logo = top.locator("img")
    await expect(logo).to_be_visible()
    assert await logo.evaluate("img => img.complete && img.naturalWidth === 240")
    footer = page.locator("footer.footer")
    await expect(footer).to_contain_text(brand.footer_text)
    await expect(footer.locator(f'a[href="mailto:{brand.support_email}"]')).to_be_visible()
    await expect(footer.locator('a[href="/legal/tokushoho"]')).to_be_visible()
    assert brand.name in await page.title()
    shown = await page.locator("body").inner_text()
    for text in own:
        shown = shown.replace(text, "")
    found = SHOMEI.search(shown + " " + await page.title())
    assert not found, f"{page.url} shows {found.group(0)!r}"
