"""The browser infrastructure works: chromium reaches a tenant's host on the live server, and
the portal's sign-in page renders in Japanese (the default) and in English."""

from __future__ import annotations

from core.clock import SystemClock
from tests.web.browser import make_shop


async def test_portal_sign_in_page_renders_in_japanese_and_english(live_server, page, screenshot):
    shop = await make_shop(SystemClock())  # type: ignore[arg-type]
    slug = shop.tenant.slug
    await page.goto(live_server.tenant_url(slug, "/portal/login"))
    assert await page.locator("html").get_attribute("lang") == "ja"
    await page.get_by_label("メールアドレス", exact=True).fill(shop.customer_email)
    assert await page.get_by_role("button", name="ログイン").is_visible()
    assert (await screenshot("portal-login-ja")).stat().st_size > 0

    await page.goto(live_server.tenant_url(slug, "/portal/login?lang=en"))
    assert await page.locator("html").get_attribute("lang") == "en"
    assert await page.get_by_label("E-mail address", exact=True).is_visible()
    assert await page.get_by_role("button", name="Sign in").is_visible()
    assert (await screenshot("portal-login-en")).stat().st_size > 0
