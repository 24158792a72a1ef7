"""Piccolo tables of the storefront: carts of browser sessions and hosted checkout sessions."""

from __future__ import annotations

from piccolo.columns import JSON, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class Cart(Table, tablename="storefront_cart"):
    """A visitor's cart, kept on the server under the SHA-256 of their browser session id
    (``web.sessions``): the cookie holds only the id. ``lines`` are ``LineInput`` fields;
    ``form_token`` is the one-time key the order is placed under (a double click places one
    order); ``checkout_session_id`` ties the cart to a hosted checkout session."""

    tenant_id = Integer(index=True)
    owner = Varchar(length=64, index=True)
    lines = JSON(default=[])
    payment_method = Varchar(length=32, default="")
    form_token = Varchar(length=64, default="")
    checkout_session_id = Integer(null=True, default=None)
    order_id = Integer(null=True, default=None)
    updated_at = Timestamptz()


class CheckoutSession(Table, tablename="storefront_checkout_session"):
    """A checkout a hosting panel opened through ``POST /api/v1/checkout-sessions``.

    ``public_id`` (``cs_…``, 256 random bits) is in the hosted page's address and is the only
    thing the browser needs; ``origin`` is the panel's origin (from ``success_url``), the one
    origin allowed to frame the page and to receive its ``postMessage``. ``status`` is
    ``open``, ``complete`` (``order_id`` set) or ``expired`` (judged by ``expires_at``)."""

    tenant_id = Integer(index=True)
    public_id = Varchar(length=64, unique=True)
    api_key_id = Integer(null=True, default=None)
    lines = JSON(default=[])
    customer = JSON(default={})
    success_url = Text()
    cancel_url = Text()
    origin = Varchar(length=255)
    metadata = JSON(default={})
    status = Varchar(length=16, default="open")
    order_id = Integer(null=True, default=None)
    expires_at = Timestamptz()
    created_at = Timestamptz()
    completed_at = Timestamptz(null=True, default=None)
