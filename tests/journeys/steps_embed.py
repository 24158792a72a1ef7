"""Page steps of journey 6, embedding: a hosting panel's server opens a checkout session
through the public API, its page opens it with shomei-embed.js, and the customer registers
and orders inside the popup."""

from __future__ import annotations

import secrets
from typing import Any

from playwright.async_api import Page

from tests.journeys.stack import Stack
from tests.journeys.steps_staff import public_api

REGISTER = {"ja": "登録して進む", "en": "Register and continue"}
BANK_TRANSFER = {"ja": "銀行振込", "en": "Bank transfer"}
PLACE = {"ja": "注文を確定する", "en": "Place the order"}
TRANSFER_HEADING = {"ja": "お振込先", "en": "Where to transfer"}
BACK_TO_PANEL = {"ja": "管理画面に戻る", "en": "Back to the control panel"}
CUSTOMER_PASSWORD = "embedded customer 2026!"


async def open_session(
    stack: Stack, api_key: str, product_id: int, panel: str, lang: str
) -> dict[str, Any]:
    """What the panel's server does: ``POST /api/v1/checkout-sessions`` for one product."""
    async with public_api(stack) as api:
        created = await api.post(
            "/api/v1/checkout-sessions",
            json={
                "lines": [{"product_id": product_id, "term_months": 12}],
                "success_url": f"{panel}/ssl/done",
                "cancel_url": f"{panel}/ssl",
                "metadata": {"panel_account": "u-20931"},
            },
            headers={"X-API-Key": api_key, "Accept-Language": lang},
        )
    assert created.status_code == 201, created.text
    return created.json()


async def read_session(stack: Stack, api_key: str, session_id: str) -> dict[str, Any]:
    async with public_api(stack) as api:
        read = await api.get(
            f"/api/v1/checkout-sessions/{session_id}", headers={"X-API-Key": api_key}
        )
    assert read.status_code == 200, read.text
    return read.json()


async def register_in_checkout(popup: Page, lang: str) -> str:
    """A new customer registers on the checkout's account step; returns their e-mail."""
    await popup.wait_for_url("**/shop/checkout/account*")
    email = f"buyer-{secrets.token_hex(3)}@customer.example.jp"
    await popup.locator("#up-organization_name").fill("株式会社パネル利用者")
    await popup.locator("#up-postal_code").fill("1500001")
    await popup.locator("#up-prefecture").fill("東京都")
    await popup.locator("#up-address").fill("渋谷区神宮前1-1-1")
    await popup.locator("#up-phone").fill("03-5555-0101")
    await popup.locator("#up-display_name").fill("佐藤 花子")
    await popup.locator("#up-email").fill(email)
    await popup.locator("#up-password").fill(CUSTOMER_PASSWORD)
    await popup.get_by_role("button", name=REGISTER[lang]).click()
    await popup.wait_for_url("**/shop/checkout/payment*")
    return email


async def order_by_bank_transfer(popup: Page, lang: str) -> None:
    await popup.get_by_label(BANK_TRANSFER[lang]).check()
    await popup.get_by_role("button", name=PLACE[lang]).click()
