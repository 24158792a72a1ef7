"""Journey 6, embedding (issue 14): a hosting company that joined and set up its shop through
the pages sells inside its own control panel. Its server opens a checkout session with an API
key made on the console; its page (another origin) opens the checkout with shomei-embed.js.

The popup keeps the customer until they have seen what to do next: after ordering by bank
transfer it shows the account, the amount and the due date, and the panel has heard nothing.
Only the customer's press on "back to the control panel" reports the completion (with the
order) to the panel, which closes the popup; the session reads complete through the API.
"""

from __future__ import annotations

import re

from tests.browser.panel import panel_server
from tests.journeys.stack import Stack
from tests.journeys.steps_embed import (
    BACK_TO_PANEL,
    TRANSFER_HEADING,
    open_session,
    order_by_bank_transfer,
    read_session,
    register_in_checkout,
)
from tests.journeys.steps_join import join
from tests.journeys.steps_setup import set_up_shop
from tests.journeys.steps_staff import create_api_key
from tests.processes import free_port

AMOUNT = {"ja": "24,200円", "en": "¥24,200"}
"""The one-year price set up (22,000 yen) with 10 % consumption tax."""
PAY_BY = {"ja": "お振込期限", "en": "Pay by"}


async def test_the_panel_hears_of_the_order_only_after_the_customer_saw_what_to_pay(
    stack: Stack, page, lang, shot
):
    joined = await join(page, stack, lang)
    shop = await set_up_shop(page, stack, joined, lang)
    product_id = int(re.search(r"/console/products/(\d+)", shop.product_path).group(1))
    key = await create_api_key(
        page, stack, joined.slug, lang, "panel", ["orders:read", "orders:write"]
    )
    port = free_port()
    panel = f"http://127.0.0.1:{port}"
    session = await open_session(stack, key, product_id, panel, lang)
    embed = stack.tenant_url(joined.slug, "/static/shomei-embed.js")
    with panel_server(embed, session["url"], port):
        await page.goto(f"{panel}/")
        await shot("1-panel")
        async with page.expect_popup() as opened:
            await page.get_by_role("button", name="SSL証明書を購入").click()
        popup = await opened.value
        await register_in_checkout(popup, lang)
        await order_by_bank_transfer(popup, lang)
        transfer = popup.get_by_role("region", name=TRANSFER_HEADING[lang])
        await transfer.wait_for()
        details = await transfer.inner_text()
        assert "1234567" in details and AMOUNT[lang] in details, details
        assert PAY_BY[lang] in details
        popup_shot = (await shot("2-panel-waiting")).with_name("3-popup-transfer.png")
        await popup.screenshot(path=str(popup_shot), full_page=True)
        assert not popup.is_closed()
        assert await page.get_by_role("status").inner_text() == "—"  # nothing reported yet
        async with popup.expect_event("close"):
            await popup.get_by_role("link", name=BACK_TO_PANEL[lang]).click()
        result = page.get_by_role("status")
        await result.get_by_text("ご注文").wait_for()
        text = await result.inner_text()
        await shot("4-panel-completed")
    finished = await read_session(stack, key, session["id"])
    assert finished["status"] == "complete"
    assert text == f"ご注文 {finished['order_id']} ({session['id']}, awaiting)"
