"""The shop's card payment page against localstripe, over HTTP on SQLite and PostgreSQL: the
page loads Stripe.js from Stripe under a CSP that allows it; a declined card keeps the order
payable and says so; a plain card pays at once (入金確認済); anything but a ``pm_…`` names
the card field."""

from __future__ import annotations

import pytest

from core.clock import FrozenClock
from tests.browser.server import LocalstripeCard
from tests.core.orders.helpers import TestPlugin
from tests.plugins.card.conftest import localstripe  # noqa: F401  (a fixture used here)
from tests.web.browser import START, browser, browser_settings, csrf_of, make_app
from tests.web.storefront.helpers import PUBLISHABLE_KEY, make_store, place_order


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def settings(tmp_path, database):
    return browser_settings(tmp_path, database)


@pytest.fixture
def app(settings, clock, localstripe):  # noqa: F811
    plugins = [TestPlugin(), LocalstripeCard(localstripe)]
    return make_app(settings, clock=clock, plugins=plugins, disabled_plugins=["plugins.card"])


async def test_declined_then_paid_by_card(app, settings, clock):
    store = await make_store(clock, settings, card=True)
    async with browser(app, store.host) as client:
        order_id = await place_order(client, store, "card")
        form = await client.get(f"/shop/orders/{order_id}/pay?lang=en")
        assert form.status_code == 200
        assert f'data-publishable-key="{PUBLISHABLE_KEY}"' in form.text
        assert '<script src="https://js.stripe.com/v3/"></script>' in form.text
        csp = form.headers["content-security-policy"]
        assert "script-src 'self' https://js.stripe.com" in csp
        assert "connect-src 'self' https://api.stripe.com" in csp
        path = f"/shop/orders/{order_id}/pay/card?lang=en"
        token = csrf_of(form.text)

        missing = await client.post(path, data={"payment_method": "", "csrf_token": token})
        assert missing.status_code == 400 and 'id="card-error"' in missing.text

        declined = await client.post(
            path, data={"payment_method": "pm_card_chargeCustomerFail", "csrf_token": token}
        )
        assert declined.status_code == 402, declined.headers.get("location")
        assert "The card payment did not go through." in declined.text

        paid = await client.post(path, data={"payment_method": "pm_card_visa", "csrf_token": token})
        assert paid.status_code == 303, paid.text
        assert paid.headers["location"] == f"/shop/orders/{order_id}?payment=paid"
        done = await client.get(paid.headers["location"] + "&lang=ja")
        assert 'id="payment-status" class="status-confirmed">入金確認済' in done.text
        again = await client.get(f"/shop/orders/{order_id}/pay")
        assert again.headers["location"] == f"/shop/orders/{order_id}"  # nothing left to pay
