"""Journey 1, "Start": a newcomer runs ``shomei up --port <free>`` on an empty install, opens
the address it prints, goes to the demo shop it prints, buys a certificate by card with the
printed demo customer (offline: localstripe and shomei's Stripe.js stand-in, both started by
``up``; the product resold from the DigiCert sandbox ``up`` also started), and sees the order
paid in the customer portal and in the tenant's console, signed in with the printed logins.
Nothing is started or set up by hand: only what ``up`` prints is used."""

from __future__ import annotations

from tests.journeys.steps_start import WORDS, buy_by_card, sign_in_console, start_up


async def test_start(lang, page, shot, processes, tmp_path):
    started = start_up(processes, tmp_path)
    words = WORDS[lang]

    home = await page.goto(f"{started.home}?lang={lang}")
    assert home is not None and home.status == 200
    icon = await page.request.get(started.home + "favicon.ico")
    assert icon.status == 200 and icon.headers["content-type"] == "image/x-icon"
    await shot("1-home")

    order_page = await buy_by_card(page, started, lang, shot)
    order_id = int(order_page.rstrip("/").rsplit("/", 1)[1])
    shop_icon = await page.evaluate(
        "fetch('/favicon.ico').then(r => [r.status, r.headers.get('content-type')])"
    )
    assert shop_icon == [200, "image/x-icon"], "the tenant's host serves a favicon too"

    portal = started.portal_login.rsplit("/login", 1)[0]
    await page.goto(f"{portal}/orders/{order_id}?lang={lang}")
    assert words["confirmed"] in await page.locator("main").inner_text()
    await shot("6-portal-order")

    await sign_in_console(page, started, lang)
    console = started.console_login.rsplit("/login", 1)[0]
    await page.goto(f"{console}/orders/{order_id}?lang={lang}")
    assert words["confirmed"] in await page.locator("main").inner_text()
    await shot("7-console-order")
