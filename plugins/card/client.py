"""A Stripe client per tenant, and idempotency keys derived from shomei's own records."""

from __future__ import annotations

import hashlib

import stripe

from core.context import Context
from core.contracts.payments import PaymentNotStarted
from core.errors import ShomeiError

MAX_IDEMPOTENCY_KEY = 255


class MissingIdempotencyKey(ShomeiError):
    """A Stripe call was attempted without the context's idempotency key: a programming error."""


class CardProviderError(ShomeiError):
    """Stripe could not be used (bad keys, network, an unexpected answer); never a card decline.
    Raised by a create call, it is ambiguous (a timeout, a 5xx, a lost answer): the object may
    exist at Stripe. ``CardRequestRefused`` is the unambiguous kind."""


class CardRequestRefused(CardProviderError, PaymentNotStarted):
    """Stripe refused the request before creating anything (a 4xx answer other than a conflict
    or an idempotency error): trying again cannot create a second object."""


def refused_before_creation(exc: stripe.StripeError) -> bool:
    """A 4xx answer is a refusal: nothing was created. A connection error (timeout, dropped
    answer), a 5xx, a 409 conflict or an idempotency error may follow a creation."""
    if isinstance(exc, stripe.APIConnectionError | stripe.IdempotencyError):
        return False
    status = exc.http_status
    return status is not None and 400 <= status < 500 and status != 409


def make_client(secret_key: str, api_base: str | None = None) -> stripe.StripeClient:
    """A client bound to one tenant's secret key; nothing is set on the ``stripe`` module."""
    if not secret_key:
        raise CardProviderError("the tenant's Stripe secret key is not configured")
    return stripe.StripeClient(
        secret_key,
        base_addresses={"api": api_base} if api_base else None,
        http_client=stripe.HTTPXClient(),
        max_network_retries=2,
    )


def idempotency_key(ctx: Context, operation: str) -> str:
    """``shomei:{tenant}:{ctx.idempotency_key}:{operation}``, hashed when longer than Stripe's
    255 characters. A retry of the same operation sends the same key, so Stripe answers it
    once; two operations of one request (create a customer, then a SetupIntent) differ."""
    if not ctx.idempotency_key:
        raise MissingIdempotencyKey(f"{operation}: the context has no idempotency key")
    key = f"shomei:{ctx.tenant.id}:{ctx.idempotency_key}:{operation}"
    if len(key) > MAX_IDEMPOTENCY_KEY:
        key = f"shomei:{ctx.tenant.id}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"
    return key
