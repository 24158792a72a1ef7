"""Journey 1, "Start": the README's first command on an empty ./var, as a newcomer runs it.

- ``start_up(processes, tmp_path)``: ``shomei up --port <free>`` (the README's ``bash scripts/up
  --port 9000`` minus the install) on an empty var folder; waits for "shomei is running" and
  reads every address and login from what it printed (``Started``), as a person would.
- ``buy_by_card(page, started, lang, shot)``: from the printed demo shop address, buy the first
  product by card through the offline Stripe sandbox (localstripe and shomei's Stripe.js
  stand-in, both started by ``up``), signed in as the printed demo customer; returns the order
  page's address once it says the payment is confirmed.
- ``sign_in_console(page, started, lang)``: the printed owner login on the printed console page.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.async_api import Page

from tests.processes import free_port, shomei_env, wait_for

TEST_CARD = "4242424242424242"

WORDS = {
    "ja": {
        "choose": "選択する",
        "quantity": "数量",
        "add": "カートに入れる",
        "checkout": "ご購入手続きへ",
        "sign_in": "ログインして進む",
        "card": "クレジットカード",
        "place": "注文を確定する",
        "number": "カード番号",
        "month": "有効期限(月)",
        "year": "有効期限(年)",
        "cvc": "セキュリティコード",
        "pay": "を支払う",
        "confirmed": "入金確認済",
        "login": "ログイン",
    },
    "en": {
        "choose": "Choose",
        "quantity": "Quantity",
        "add": "Add to cart",
        "checkout": "Check out",
        "sign_in": "Sign in and continue",
        "card": "Credit card",
        "place": "Place the order",
        "number": "Card number",
        "month": "Expiry month",
        "year": "Expiry year",
        "cvc": "Security code",
        "pay": "Pay ",
        "confirmed": "Payment confirmed",
        "login": "Sign in",
    },
}


@dataclass(frozen=True)
class Started:
    """What ``shomei up`` printed: where to open it, the demo shop, and the demo logins."""

    log: Path
    home: str
    shop: str
    console_login: str
    owner: tuple[str, str]
    portal_login: str
    customer: tuple[str, str]


def _login(output: str, label: str) -> tuple[str, tuple[str, str]]:
    found = re.search(rf"{label}.* at (\S+): .*?(\S+@\S+) / (\S+)", output)
    assert found, f"up prints the {label} login:\n{output[-2000:]}"
    return found.group(1), (found.group(2), found.group(3))


def start_up(processes: Callable[..., Any], tmp_path: Path) -> Started:
    """``shomei up --port <free>`` on an empty var folder, and what it printed."""
    var = tmp_path / "var"
    assert not var.exists()
    log = tmp_path / "up.log"
    env = shomei_env(None, SHOMEI_VAR_DIR=str(var))
    processes(["up", "--port", str(free_port())], env, log)
    output = wait_for(
        lambda: (text := log.read_text(errors="replace")) and "Press Ctrl-C" in text and text,
        120,
        "shomei up to print its addresses",
        log,
    )
    home = re.search(r"shomei is running: open (\S+)", output)
    shop = re.search(r"Demo shop at (\S+)", output)
    assert home and shop, output[-2000:]
    console, owner = _login(output, "console")
    portal, customer = _login(output, "Customer portal")
    return Started(log, home.group(1), shop.group(1), console, owner, portal, customer)


async def buy_by_card(
    page: Page, started: Started, lang: str, shot: Callable[[str], Awaitable[Path]]
) -> str:
    """Buy the shop's first product by card; returns the paid order's page address."""
    words = WORDS[lang]
    await page.goto(f"{started.shop}?lang={lang}")
    await shot("2-demo-shop")
    await page.get_by_role("link", name=words["choose"]).first.click()
    await page.get_by_label(words["quantity"]).fill("1")
    await page.get_by_role("button", name=words["add"]).click()
    await page.get_by_role("link", name=words["checkout"]).click()
    await page.locator("#email").fill(started.customer[0])
    await page.locator("#password").fill(started.customer[1])
    await page.get_by_role("button", name=words["sign_in"]).click()
    await page.get_by_label(words["card"]).check()
    await shot("3-checkout")
    await page.get_by_role("button", name=re.compile(re.escape(words["place"]))).click()
    await page.wait_for_url("**/pay")
    await page.get_by_label(words["number"], exact=True).fill(TEST_CARD)
    await page.get_by_label(words["month"], exact=True).fill("12")
    await page.get_by_label(words["year"], exact=True).fill("34")
    await page.get_by_label(words["cvc"], exact=True).fill("123")
    await shot("4-card-sandbox")
    await page.get_by_role("button", name=re.compile(re.escape(words["pay"]))).click()
    await page.wait_for_url("**/shop/orders/*payment=paid*")
    status = page.locator("#payment-status")
    assert (await status.inner_text()).strip() == words["confirmed"]
    await shot("5-paid")
    return page.url.split("?", 1)[0]


async def sign_in_console(page: Page, started: Started, lang: str) -> None:
    await page.goto(f"{started.console_login}?lang={lang}")
    await page.locator("#email").fill(started.owner[0])
    await page.locator("#password").fill(started.owner[1])
    await page.get_by_role("button", name=WORDS[lang]["login"], exact=True).click()
    await page.wait_for_url("**/console/")
