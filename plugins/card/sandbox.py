"""Card payments against a Stripe stand-in (localstripe), for the embedded demo.

When ``SHOMEI_STRIPE_API_BASE`` is not Stripe's address (``core.settings.Settings.
stripe_sandbox``), the card page loads shomei's Stripe.js stand-in (``static/stripe-sandbox.js``,
served by ``sandbox_pages``) instead of ``https://js.stripe.com/v3/``. Its two calls come here,
on the tenant's host, for a signed-in customer:

- ``create_payment_method``: the test card's details become a ``pm_…`` at the sandbox, with the
  tenant's secret key (localstripe, unlike Stripe, takes no publishable key for this);
- ``authenticate``: the 3-D Secure step of a PaymentIntent (localstripe's ``_authenticate``).

With Stripe's own address both refuse (``SandboxOnly``): in production the card details go
from the browser to Stripe alone and never reach shomei.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import stripe

from core.errors import ShomeiError
from plugins.card.adapter import CardAdapter

SANDBOX_PUBLISHABLE_KEY = "pk_test_shomei_sandbox"
SANDBOX_SECRET_KEY = "sk_test_shomei_sandbox"
"""The demo tenant's keys at the sandbox (localstripe accepts any ``sk_…``)."""


class SandboxOnly(ShomeiError):
    """A sandbox call while the card plugin talks to Stripe itself."""


class SandboxRefused(ShomeiError):
    """The sandbox refused the card details or the authentication; ``str()`` says why."""


@dataclass(frozen=True)
class SandboxCard:
    number: str
    exp_month: str
    exp_year: str
    cvc: str


def _check(adapter: CardAdapter) -> None:
    if not adapter.sandbox:
        raise SandboxOnly("the card plugin talks to Stripe: the sandbox calls are off")


def _why(exc: stripe.StripeError) -> str:
    return str(exc.user_message or exc)


async def create_payment_method(adapter: CardAdapter, card: SandboxCard) -> str:
    """The ``pm_…`` of ``card`` at the sandbox."""
    _check(adapter)
    digits = "".join(ch for ch in card.number if ch.isdigit())
    year = card.exp_year.strip()
    params: dict[str, Any] = {
        "type": "card",
        "card": {
            "number": digits,
            "exp_month": card.exp_month.strip(),
            "exp_year": f"20{year}" if len(year) == 2 else year,
            "cvc": card.cvc.strip(),
        },
    }
    try:
        method = await adapter.client.v1.payment_methods.create_async(params)  # type: ignore[arg-type]
    except stripe.StripeError as exc:
        raise SandboxRefused(_why(exc)) from None
    return str(method.id)


async def authenticate(adapter: CardAdapter, client_secret: str, success: bool) -> str:
    """Answer the sandbox's 3-D Secure challenge of the intent ``client_secret`` belongs to;
    returns the intent's id."""
    _check(adapter)
    intent_id = client_secret.split("_secret_", 1)[0]
    if not intent_id.startswith("pi_") or not intent_id[3:].isalnum():
        raise SandboxRefused("not a PaymentIntent's client secret")
    try:
        await adapter.client.raw_request_async(
            "post",
            f"/v1/payment_intents/{intent_id}/_authenticate",
            client_secret=client_secret,
            success="true" if success else "false",
        )
    except stripe.StripeError as exc:
        raise SandboxRefused(_why(exc)) from None
    return intent_id
