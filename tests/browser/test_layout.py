"""Layout in a real browser (issue 14, "Layout"): radio buttons sit beside their labels, the
console header never breaks inside a word, the dashboard promises no missing pages, and the
portal's plain buttons are styled. Chromium against the live server, both databases."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from core.clock import SystemClock
from tests.plugins.digicert.conftest import token_server, upstream  # noqa: F401  (fixtures)
from tests.plugins.digicert.shop import Shop, forget_account, make_shop
from tests.web.browser import PASSWORD
from tests.web.browser import make_shop as make_portal_shop

BROKEN_IN_HEADER = """() => Array.from(document.querySelectorAll(
    'header a, header .area-nav span, header button'))
  .filter(e => e.getClientRects().length > 1  // an inline box on two lines, or a flex item
          || e.getBoundingClientRect().height > 2 * parseFloat(getComputedStyle(e).fontSize))
  .map(e => e.textContent.trim())"""
RADIOS_OFF_LINE = """() => Array.from(document.querySelectorAll('label > input[type=radio]'))
  .map(r => [r.getBoundingClientRect(), r.parentElement.getBoundingClientRect(),
             r.parentElement.textContent.trim()])
  .filter(([r, l]) => Math.abs((r.top + r.bottom) / 2 - (l.top + l.bottom) / 2) > 4
                      || l.height > 2 * r.height + 16)
  .map(([, , text]) => text)"""


@pytest.fixture
async def digicert_shop(live_server, upstream) -> AsyncIterator[Shop]:  # noqa: F811
    made = await make_shop(live_server.settings, upstream.clock, upstream.api_url)
    yield made
    await forget_account(made)


async def test_console_header_radios_and_dashboard(live_server, digicert_shop, page, screenshot):
    slug = digicert_shop.tenant.slug
    await page.set_viewport_size({"width": 560, "height": 900})
    await page.goto(live_server.tenant_url(slug, "/console/login?lang=ja"))
    await page.locator("#email").fill(f"owner-{slug}@example.jp")
    await page.locator("#password").fill(PASSWORD)
    await page.get_by_role("button", name="ログイン").click()
    await page.wait_for_url("**/console/")
    assert "まだありません" not in await page.locator("main").inner_text()
    assert await page.evaluate(BROKEN_IN_HEADER) == []
    await screenshot("console-dashboard-560")
    for lang in ("ja", "en"):
        await page.goto(live_server.tenant_url(slug, f"/console/vouchers/new?lang={lang}"))
        assert await page.locator("label > input[type=radio]").count() >= 2
        assert await page.evaluate(RADIOS_OFF_LINE) == []
        assert await page.evaluate(BROKEN_IN_HEADER) == []
        await screenshot(f"voucher-form-{lang}")


async def test_portal_plain_buttons_are_styled(live_server, page, screenshot):
    shop = await make_portal_shop(SystemClock())  # type: ignore[arg-type]
    slug = shop.tenant.slug
    await page.goto(live_server.tenant_url(slug, "/portal/login"))
    await page.locator("#email").fill(shop.customer_email)
    await page.locator("#password").fill(PASSWORD)
    await page.get_by_role("button", name="ログイン").click()
    await page.wait_for_url("**/portal/")
    await page.goto(live_server.tenant_url(slug, "/portal/account"))
    button = page.locator("main form button[type=submit]:not([class])").first
    style = await button.evaluate(
        "b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).color,"
        " getComputedStyle(b).borderRadius]"
    )
    # the shop's accent colour (a new tenant's default #F2A900) with the text colour that reads
    # on it (dark on amber), not the browser's grey default
    assert style == ["rgb(242, 169, 0)", "rgb(29, 36, 51)", "6px"], style
    assert await page.evaluate(BROKEN_IN_HEADER) == []
    await screenshot("portal-account")
