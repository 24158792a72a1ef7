"""``python -m tests.browser.server --port N [--stripe-api URL]``: the web app as the browser
tests run it, a real uvicorn process on loopback against the session database.

It is ``shomei serve`` (``create_app`` with the settings of the ``SHOMEI_*`` environment) with
two differences: the test provider of ``tests.core.orders.helpers`` (code ``test_digi``) is
registered, so the tests' products can be ordered; and given ``--stripe-api``, the card
plugin's adapter talks to that localstripe instead of Stripe, while the settings keep Stripe's
address (``SHOMEI_STRIPE_API_BASE`` unset): the card pages load the real Stripe.js URL, which
the browser tests route to localstripe's mock (``tests/browser/stripe_js.py``).
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from typing import Any

import uvicorn

from core.clock import SystemClock
from core.hookspecs import hookimpl
from core.settings import get_settings
from plugins.card.adapter import CardAdapter
from tests.core.orders.helpers import TestPlugin
from web.app import create_app


class LocalstripeCard:
    """The card plugin with its adapter pointed at localstripe."""

    def __init__(self, api_base: str) -> None:
        base = api_base

        class LocalCard(CardAdapter):
            """localstripe refuses ``return_url`` on PaymentIntents and always answers 3-D
            Secure with ``use_stripe_sdk``, so the return address is not sent: the page then
            finishes with Stripe.js and goes to that address itself."""

            def __init__(self, account: Any) -> None:
                super().__init__(account, api_base=base)

            async def start(self, ctx: Any, request: Any) -> Any:
                return await super().start(ctx, replace(request, return_url=""))

        self.adapter = LocalCard

    @hookimpl
    def register_payment_adapters(self) -> list[type]:
        return [self.adapter]

    @hookimpl
    def register_piccolo_apps(self) -> list[str]:
        return ["plugins.card.piccolo_app"]

    @hookimpl
    def register_routes(self) -> list[Any]:
        from web.api.payments import stripe_webhook_router

        return [stripe_webhook_router()]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--stripe-api", default="")
    args = parser.parse_args()
    settings = get_settings()
    plugins: list[object] = [TestPlugin()]
    disabled: list[str] = []
    if args.stripe_api:
        plugins.append(LocalstripeCard(args.stripe_api))
        disabled.append("plugins.card")
    app = create_app(settings, plugins=plugins, disabled_plugins=disabled, clock=SystemClock())
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_config=None, access_log=False)


if __name__ == "__main__":
    main()
