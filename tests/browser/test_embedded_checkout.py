"""A hosting panel (a static page on another loopback port) opens shomei's hosted checkout
with shomei-embed.js; the customer places the order in the popup and the panel receives the
completion message (origin-checked both ways) with the order id."""

from __future__ import annotations

import httpx

from core.clock import SystemClock
from tests.browser.panel import panel_server
from tests.processes import free_port
from tests.web.browser import PASSWORD
from tests.web.storefront.helpers import make_store


async def test_a_hosting_panel_embeds_the_checkout_and_hears_it_complete(
    live_server, page, screenshot
):
    store = await make_store(SystemClock(), live_server.settings)
    port = free_port()
    panel = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=live_server.url("127.0.0.1")) as api:
        created = await api.post(
            "/api/v1/checkout-sessions",
            json={
                "lines": [{"product_id": store.product_id, "term_months": 12}],
                "customer": {"email": store.shop.customer_email},
                "success_url": f"{panel}/ssl/done",
                "cancel_url": f"{panel}/ssl",
                "metadata": {"panel_account": "u-20931"},
            },
            headers=store.headers,
        )
        assert created.status_code == 201, created.text
        session = created.json()
    embed = live_server.tenant_url(store.slug, "/static/shomei-embed.js")
    with panel_server(embed, session["url"], port) as origin:
        assert origin == panel
        await page.goto(f"{panel}/")
        await screenshot("1-panel")
        async with page.expect_popup() as opened:
            await page.get_by_role("button", name="SSL証明書を購入").click()
        popup = await opened.value
        await popup.wait_for_url("**/shop/checkout/account*")
        assert await popup.locator("#email").input_value() == store.shop.customer_email
        await popup.locator("#password").fill(PASSWORD)
        await popup.get_by_role("button", name="ログインして進む").click()
        await popup.get_by_label("銀行振込").check()
        waiting = await screenshot("2-panel-waiting")
        await popup.screenshot(path=str(waiting.with_name("3-popup.png")), full_page=True)
        await popup.get_by_role("button", name="注文を確定する").click()
        result = page.get_by_role("status")
        await result.get_by_text("ご注文").wait_for()
        text = await result.inner_text()
        await screenshot("4-panel-completed")

    async with httpx.AsyncClient(base_url=live_server.url("127.0.0.1")) as api:
        read = await api.get(f"/api/v1/checkout-sessions/{session['id']}", headers=store.headers)
    finished = read.json()
    assert finished["status"] == "complete"
    assert text == f"ご注文 {finished['order_id']} ({session['id']}, awaiting)"
    assert popup.is_closed()  # shomei-embed.js closes the popup once the panel has the message
