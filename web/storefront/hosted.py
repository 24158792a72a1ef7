"""Hosted checkout sessions: a hosting panel asks for one by API and sends its customer there.

``create_session`` checks the lines (each product of this tenant, priced today), the customer
details and the return addresses, then stores the session with a random public id (``cs_…``)
valid for ``expires_in_minutes``. The hosted page ``GET /checkout/{public_id}`` puts the lines
in the visitor's cart and runs the shop's own checkout (``web.storefront.checkout``); the
confirmation page marks the session ``complete`` with its order (``complete_for_cart``) and
posts the completion to the panel's origin (``shomei-embed.js``).
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from core.context import Context
from core.errors import FieldError, NotFound, ValidationFailed
from core.links import tenant_url
from core.money import STANDARD_RATE
from core.orders.lines import LineInput, price_lines
from core.settings import Settings
from web.storefront import cart
from web.storefront.tables import CheckoutSession

OPEN, COMPLETE, EXPIRED = "open", "complete", "expired"
DEFAULT_MINUTES, MIN_MINUTES, MAX_MINUTES = 60, 30, 24 * 60
MAX_METADATA_KEYS, MAX_METADATA_VALUE = 20, 500
CUSTOMER_FIELDS = ("email", "name", "organization_name")


@dataclass(frozen=True)
class SessionRequest:
    """What a panel asks for (``web.storefront.api.CheckoutSessionIn`` carries it in)."""

    lines: tuple[LineInput, ...]
    success_url: str
    cancel_url: str
    customer: dict[str, str] = field(default_factory=dict)
    metadata: dict[str, str] = field(default_factory=dict)
    expires_in_minutes: int = DEFAULT_MINUTES


@dataclass(frozen=True)
class SessionView:
    id: str
    url: str
    status: str
    order_id: int | None
    success_url: str
    cancel_url: str
    customer: dict[str, str]
    metadata: dict[str, str]
    expires_at: datetime
    created_at: datetime
    completed_at: datetime | None


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def hosted_url(settings: Settings, slug: str, public_id: str) -> str:
    """The hosted page on the tenant's host: ``<scheme>://<slug>.<base domain>[:port]``."""
    return tenant_url(settings.public_url, slug, f"/checkout/{public_id}")


def _check_url(errors: list[FieldError], name: str, value: str) -> None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(value) > 2000:
        errors.append(FieldError(name, "storefront.session.url_invalid"))


def _check(request: SessionRequest) -> list[FieldError]:
    errors: list[FieldError] = []
    _check_url(errors, "success_url", request.success_url)
    _check_url(errors, "cancel_url", request.cancel_url)
    if not errors and origin_of(request.success_url) != origin_of(request.cancel_url):
        errors.append(FieldError("cancel_url", "storefront.session.origin_mismatch"))
    if not MIN_MINUTES <= request.expires_in_minutes <= MAX_MINUTES:
        errors.append(
            FieldError(
                "expires_in_minutes",
                "storefront.session.expiry_range",
                {"low": MIN_MINUTES, "high": MAX_MINUTES},
            )
        )
    if len(request.metadata) > MAX_METADATA_KEYS or any(
        not isinstance(v, str) or len(v) > MAX_METADATA_VALUE or len(k) > 40
        for k, v in request.metadata.items()
    ):
        errors.append(
            FieldError(
                "metadata",
                "storefront.session.metadata_invalid",
                {"keys": MAX_METADATA_KEYS, "length": MAX_METADATA_VALUE},
            )
        )
    for name in request.customer:
        if name not in CUSTOMER_FIELDS:
            errors.append(FieldError(f"customer.{name}", "storefront.session.customer_unknown"))
    return errors


def status_of(row: dict[str, Any], now: datetime) -> str:
    if row["status"] == OPEN and now >= row["expires_at"]:
        return EXPIRED
    return row["status"]


def _view(settings: Settings, slug: str, row: dict[str, Any], now: datetime) -> SessionView:
    return SessionView(
        id=row["public_id"],
        url=hosted_url(settings, slug, row["public_id"]),
        status=status_of(row, now),
        order_id=row["order_id"],
        success_url=row["success_url"],
        cancel_url=row["cancel_url"],
        customer=row["customer"],
        metadata=row["metadata"],
        expires_at=row["expires_at"],
        created_at=row["created_at"],
        completed_at=row["completed_at"],
    )


async def create_session(
    ctx: Context, settings: Settings, api_key_id: int | None, request: SessionRequest
) -> SessionView:
    errors = _check(request)
    _, line_errors = await price_lines(ctx, request.lines, STANDARD_RATE)
    errors += line_errors
    if errors:
        raise ValidationFailed(errors)
    now = ctx.clock.now()
    public_id = "cs_" + secrets.token_urlsafe(32)
    await CheckoutSession.insert(
        CheckoutSession(
            tenant_id=ctx.tenant.id,
            public_id=public_id,
            api_key_id=api_key_id,
            lines=[asdict(line) for line in request.lines],
            customer=dict(request.customer),
            success_url=request.success_url,
            cancel_url=request.cancel_url,
            origin=origin_of(request.success_url),
            metadata=dict(request.metadata),
            status=OPEN,
            expires_at=now + timedelta(minutes=request.expires_in_minutes),
            created_at=now,
        )
    ).run()
    return await get_session(ctx, settings, public_id)


async def _row(ctx: Context, public_id: str) -> dict[str, Any]:
    row = await (
        CheckoutSession.select()
        .where(
            (CheckoutSession.tenant_id == ctx.tenant.id) & (CheckoutSession.public_id == public_id)
        )
        .output(load_json=True)
        .first()
        .run()
    )
    if row is None:
        raise NotFound("storefront.session.not_found", public_id)
    return row


async def get_session(ctx: Context, settings: Settings, public_id: str) -> SessionView:
    """The session (``NotFound`` for an unknown id or another tenant's)."""
    return _view(settings, ctx.tenant.slug, await _row(ctx, public_id), ctx.clock.now())


async def open_in_cart(ctx: Context, owner: str, public_id: str) -> dict[str, Any] | None:
    """Put an open session's lines in the visitor's cart (replacing what was there) and tie
    the cart to the session; None when the session is not open (expired or complete)."""
    row = await _row(ctx, public_id)
    if status_of(row, ctx.clock.now()) != OPEN:
        return None
    found = await cart.ensure(ctx, owner)
    await cart.save_lines(ctx, found, tuple(LineInput(**line) for line in row["lines"]))
    found.checkout_session_id = row["id"]
    await found.save()
    return row


async def session_for_cart(ctx: Context, owner: str) -> dict[str, Any] | None:
    """The checkout session the visitor's cart came from, if any."""
    found = await cart.load(ctx, owner)
    if found is None or found.checkout_session_id is None:
        return None
    return await (
        CheckoutSession.select()
        .where(
            (CheckoutSession.tenant_id == ctx.tenant.id)
            & (CheckoutSession.id == found.checkout_session_id)
        )
        .output(load_json=True)
        .first()
        .run()
    )


async def complete_for_cart(ctx: Context, owner: str, order_id: int) -> dict[str, Any] | None:
    """When the visitor's cart came from a session and placed ``order_id``: the session is
    ``complete`` with that order (once; an expired session completes too, since its order
    exists). Returns what the page posts to the panel, else None."""
    found = await cart.load(ctx, owner)
    if found is None or found.checkout_session_id is None or found.order_id != order_id:
        return None
    await (
        CheckoutSession.update(
            {
                CheckoutSession.status: COMPLETE,
                CheckoutSession.order_id: order_id,
                CheckoutSession.completed_at: ctx.clock.now(),
            }
        )
        .where(
            (CheckoutSession.tenant_id == ctx.tenant.id)
            & (CheckoutSession.id == found.checkout_session_id)
            & (CheckoutSession.status == OPEN)
        )
        .run()
    )
    row = await session_for_cart(ctx, owner)
    if row is None or row["order_id"] != order_id:
        return None
    return {
        "id": row["public_id"],
        "origin": row["origin"],
        "success_url": row["success_url"],
        "order_id": order_id,
    }


__all__ = ["SessionRequest", "SessionView", "create_session", "get_session"]
