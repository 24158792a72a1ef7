"""Stripe in the browser tests: the page loads ``https://js.stripe.com/v3/`` and talks to
``https://api.stripe.com`` as in production; Playwright routes both to localstripe.

- ``js.stripe.com/v3/`` is answered with localstripe's own Stripe.js mock, its API base set to
  ``https://api.stripe.com`` and a ``createPaymentMethod`` added (the mock's is empty): it
  posts the card element's values to ``/v1/payment_methods``.
- ``api.stripe.com`` requests are forwarded to localstripe. Stripe accepts the publishable
  key for creating PaymentMethods; localstripe only a secret key, so the forwarder adds the
  test secret key (playing Stripe's part, as the card tests' ``/_authenticate`` calls do).
"""

from __future__ import annotations

from pathlib import Path

import localstripe
from playwright.async_api import Page, Route

from tests.plugins.card.conftest import SECRET_KEY

MOCK = Path(localstripe.__file__).parent / "localstripe-v3.js"
CREATE_PAYMENT_METHOD = """
(function () {
  const make = Stripe;
  Stripe = function (key) {
    const stripe = make(key);
    stripe.createPaymentMethod = async function (options) {
      const card = options.card.value.card;
      const body = new URLSearchParams({
        "type": "card", "card[number]": card.number, "card[exp_month]": card.exp_month,
        "card[exp_year]": card.exp_year, "card[cvc]": card.cvc,
      });
      const answer = await fetch(LOCALSTRIPE_BASE_API + "/v1/payment_methods", {
        method: "POST", body: body,
      });
      const json = await answer.json();
      return answer.ok ? {paymentMethod: json} : {error: json.error};
    };
    return stripe;
  };
})();
"""


def stripe_js() -> str:
    source = MOCK.read_text()
    source = source.replace(
        "document.currentScript.src", '"https://api.stripe.com/js.stripe.com/v3/"', 1
    )
    return source + CREATE_PAYMENT_METHOD


async def route_stripe(page: Page, localstripe_url: str) -> None:
    script = stripe_js()

    async def serve_js(route: Route) -> None:
        await route.fulfill(body=script, content_type="application/javascript")

    async def forward(route: Route) -> None:
        request = route.request
        target = request.url.replace("https://api.stripe.com", localstripe_url, 1)
        headers = dict(request.headers)
        if request.url.endswith("/v1/payment_methods"):
            headers["authorization"] = f"Bearer {SECRET_KEY}"
        answer = await route.fetch(url=target, headers=headers)
        await route.fulfill(response=answer)

    await page.route("https://js.stripe.com/v3/", serve_js)
    await page.route("https://api.stripe.com/**", forward)
