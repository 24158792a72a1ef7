"""A hosting panel (a static page on another loopback port) opens shomei's hosted checkout
with shomei-embed.js; the customer places the order in the popup and the panel receives the
completion message (origin-checked both ways) with the order id.

The popup keeps the customer until they have seen what to do next: the bank-transfer details
(account, amount, due date), or the card payment's outcome after 3-D Secure. Only their press
on 管理画面に戻る reports the completion to the panel (issue 14, journey 6)."""

from __future__ import annotations

from typing import Any

import httpx

from core.clock import SystemClock
from tests.browser.panel import panel_server
from tests.browser.stripe_js import route_stripe
from tests.plugins.card.test_card_payments import THREE_D_SECURE_CARD
from tests.processes import free_port
from tests.web.browser import PASSWORD
from tests.web.storefront.helpers import Store, make_store


async def _session(server: Any, store: Store, panel: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=server.url("127.0.0.1")) as api:
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
    return created.json()


async def _read(server: Any, store: Store, session: dict[str, Any]) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=server.url("127.0.0.1")) as api:
        read = await api.get(f"/api/v1/checkout-sessions/{session['id']}", headers=store.headers)
    return read.json()


async def _open_and_sign_in(page: Any, store: Store) -> Any:
    async with page.expect_popup() as opened:
        await page.get_by_role("button", name="SSL証明書を購入").click()
    popup = await opened.value
    await popup.wait_for_url("**/shop/checkout/account*")
    assert await popup.locator("#email").input_value() == store.shop.customer_email
    await popup.locator("#password").fill(PASSWORD)
    await popup.get_by_role("button", name="ログインして進む").click()
    return popup


async def test_a_hosting_panel_embeds_the_checkout_and_hears_it_complete(
    live_server, page, screenshot
):
    store = await make_store(SystemClock(), live_server.settings)
    port = free_port()
    panel = f"http://127.0.0.1:{port}"
    session = await _session(live_server, store, panel)
    embed = live_server.tenant_url(store.slug, "/static/shomei-embed.js")
    with panel_server(embed, session["url"], port) as origin:
        assert origin == panel
        await page.goto(f"{panel}/")
        await screenshot("1-panel")
        popup = await _open_and_sign_in(page, store)
        await popup.get_by_label("銀行振込").check()
        waiting = await screenshot("2-panel-waiting")
        await popup.screenshot(path=str(waiting.with_name("3-popup.png")), full_page=True)
        await popup.get_by_role("button", name="注文を確定する").click()
        # the transfer details stay in front of the customer: nothing reported yet
        transfer = popup.get_by_role("region", name="お振込先")
        await transfer.wait_for()
        details = await transfer.inner_text()
        assert "1234567" in details and "33,000円" in details, details
        assert "お振込期限" in details
        await popup.screenshot(path=str(waiting.with_name("4-popup-transfer.png")), full_page=True)
        assert not popup.is_closed()
        assert await page.get_by_role("status").inner_text() == "—"
        await popup.get_by_role("link", name="管理画面に戻る").click()
        result = page.get_by_role("status")
        await result.get_by_text("ご注文").wait_for()
        text = await result.inner_text()
        await screenshot("5-panel-completed")

    finished = await _read(live_server, store, session)
    assert finished["status"] == "complete"
    assert text == f"ご注文 {finished['order_id']} ({session['id']}, awaiting)"
    assert popup.is_closed()  # shomei-embed.js closes the popup once the panel has the message


async def test_a_card_payment_reports_only_after_3d_secure_and_its_outcome(
    card_server, localstripe, page, screenshot
):
    store = await make_store(SystemClock(), card_server.settings, card=True)
    port = free_port()
    panel = f"http://127.0.0.1:{port}"
    session = await _session(card_server, store, panel)
    embed = card_server.tenant_url(store.slug, "/static/shomei-embed.js")
    with panel_server(embed, session["url"], port):
        await page.goto(f"{panel}/")
        popup = await _open_and_sign_in(page, store)
        await route_stripe(popup, localstripe)
        await popup.get_by_label("クレジットカード").check()
        await popup.get_by_role("button", name="注文を確定する").click()
        await popup.wait_for_url("**/pay")
        await popup.get_by_placeholder("number").fill(THREE_D_SECURE_CARD)
        await popup.get_by_placeholder("exp_month").fill("12")
        await popup.get_by_placeholder("exp_year").fill("34")
        await popup.get_by_placeholder("cvc").fill("123")
        await popup.get_by_placeholder("postal_code").fill("10000")
        await popup.get_by_role("button", name="33,000円を支払う").click()
        challenge = popup.get_by_role("button", name="Complete authentication")
        await challenge.wait_for()
        await popup.screenshot(path=str((await screenshot("1-panel")).with_name("2-3ds.png")))
        assert await page.get_by_role("status").inner_text() == "—"  # still authenticating
        await challenge.click()
        await popup.wait_for_url("**/shop/orders/*payment=paid*")
        assert await popup.locator("#payment-status").inner_text() == "入金確認済"
        assert await page.get_by_role("status").inner_text() == "—"  # the outcome is shown first
        await popup.get_by_role("link", name="管理画面に戻る").click()
        result = page.get_by_role("status")
        await result.get_by_text("ご注文").wait_for()
        text = await result.inner_text()
        await screenshot("3-panel-completed")
    finished = await _read(card_server, store, session)
    assert text == f"ご注文 {finished['order_id']} ({session['id']}, confirmed)"
    assert popup.is_closed()
