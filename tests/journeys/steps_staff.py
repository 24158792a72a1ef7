"""Page steps of a tenant's staff in the console: sign in, create an API key (its secret is
shown once), revoke it through the confirmation page, create a quote."""

from __future__ import annotations

import httpx
from playwright.async_api import Page

from tests.journeys.stack import Stack

SIGN_IN = {"ja": "ログイン", "en": "Sign in"}
CREATE_KEY = {"ja": "作成する", "en": "Create"}
REVOKE = {"ja": "無効にする", "en": "Revoke"}
CONFIRM_HEADING = {"ja": "実行してよいか確認してください", "en": "Check before you go ahead"}
NEW_QUOTE = {"ja": "見積りを作成する", "en": "Create a quote"}
SAVE_QUOTE = {"ja": "見積りを保存する", "en": "Save the quote"}


def public_api(stack: Stack) -> httpx.AsyncClient:
    """The public API as a hosting panel's server calls it (on loopback: the test process does
    not resolve ``*.shomei.test``; the API key names the tenant, not the host)."""
    return httpx.AsyncClient(base_url=f"http://127.0.0.1:{stack.port}", timeout=30)


async def sign_in_console(page: Page, stack: Stack, slug: str, email: str, password: str) -> None:
    """Sign in on the tenant's console (a no-op when the page's session is already in)."""
    await page.goto(stack.tenant_url(slug, "/console/"))
    if "/console/login" not in page.url:
        return
    lang = "ja" if await page.locator("html").get_attribute("lang") == "ja" else "en"
    await page.locator("#email").fill(email)
    await page.locator("#password").fill(password)
    await page.get_by_role("button", name=SIGN_IN[lang]).click()
    await page.wait_for_url("**/console/")


async def create_api_key(
    page: Page, stack: Stack, slug: str, lang: str, name: str, scopes: list[str]
) -> str:
    """A new API key made on the console's API keys page; returns the secret shown once."""
    await page.goto(stack.tenant_url(slug, f"/console/api-keys?lang={lang}"))
    await page.locator("#name").fill(name)
    for scope in scopes:
        await page.locator(f'input[name="scopes"][value="{scope}"]').check()
    await page.get_by_role("button", name=CREATE_KEY[lang]).click()
    secret = page.locator("code.secret-once")
    await secret.wait_for()
    return (await secret.inner_text()).strip()


async def ask_to_revoke_api_key(page: Page, stack: Stack, slug: str, lang: str, name: str) -> None:
    """Press revoke on the key named ``name``: the page asks for confirmation (nothing is
    revoked yet); ``confirm(page, lang)`` then revokes it."""
    await page.goto(stack.tenant_url(slug, f"/console/api-keys?lang={lang}"))
    row = page.get_by_role("row").filter(has_text=name)
    await row.get_by_role("button", name=REVOKE[lang]).click()
    await page.get_by_role("heading", name=CONFIRM_HEADING[lang]).wait_for()


async def create_quote(
    page: Page,
    stack: Stack,
    slug: str,
    lang: str,
    product: str,
    term_months: int = 12,
    quantity: int = 1,
    fqdns: int = 0,
    title: str = "",
) -> str:
    """A quote made with the console's form for one product (by its shown name); returns the
    quote number the saved page shows (``Q-000001``)."""
    await page.goto(stack.tenant_url(slug, f"/console/quotes?lang={lang}"))
    await page.get_by_role("link", name=NEW_QUOTE[lang]).click()
    await page.locator("#title").fill(title)
    await page.locator("#lines-0-product").select_option(label=product)
    await page.locator("#lines-0-term").select_option(str(term_months))
    await page.locator("#lines-0-quantity").fill(str(quantity))
    await page.locator("#lines-0-fqdns").fill(str(fqdns))
    await page.get_by_role("button", name=SAVE_QUOTE[lang]).click()
    await page.wait_for_url("**/console/quotes/*notice=quote_saved*")
    status = await page.locator('p.notice[role="status"]').inner_text()
    return next(word for word in status.split() if word.startswith("Q-"))


async def confirm(page: Page, lang: str, button: dict[str, str] = REVOKE) -> None:
    """Press the confirmation page's own button (its label repeats the action's)."""
    await page.locator("form.confirm-form").get_by_role("button", name=button[lang]).click()
    await page.wait_for_load_state()
