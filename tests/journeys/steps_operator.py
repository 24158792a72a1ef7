"""Page steps of the operator (the shomei operations staff)."""

from __future__ import annotations

from playwright.async_api import Page

from tests.journeys.stack import Stack

SIGN_IN = {"ja": "ログイン", "en": "Sign in"}


async def sign_in_operator(page: Page, stack: Stack, lang: str) -> None:
    """Sign in on the operator pages of the base domain with the operator the install made."""
    email, password = stack.operator
    await page.goto(stack.base_url(f"/operator/login?lang={lang}"))
    await page.locator("#email").fill(email)
    await page.locator("#password").fill(password)
    await page.get_by_role("button", name=SIGN_IN[lang]).click()
    await page.wait_for_url("**/operator/")
