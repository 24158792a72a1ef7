"""The visitor's cart, kept on the server under their browser session (``web.sessions``).

The browser holds only its signed session id; the cart row is keyed by the id's SHA-256, in
the tenant's scope. Signing in rotates the session id, so the checkout moves the cart to the
new id (``rekey``). Lines are ``core.orders.lines.LineInput`` fields and are priced again at
every render and when the order is placed: the cart never stores a price.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict
from typing import Any

from litestar import Request

from core.context import Context
from core.orders.lines import LineInput
from web.sessions import browser_id, key_hash
from web.storefront.tables import Cart

MAX_LINES = 20


def owner_of(request: Request[Any, Any, Any]) -> str:
    return key_hash(browser_id(request))


def lines_of(row: Cart | None) -> tuple[LineInput, ...]:
    if row is None:
        return ()
    stored = json.loads(row.lines) if isinstance(row.lines, str) else row.lines
    return tuple(LineInput(**line) for line in stored or [])


async def load(ctx: Context, owner: str) -> Cart | None:
    return (
        await Cart.objects()
        .where((Cart.tenant_id == ctx.tenant.id) & (Cart.owner == owner))
        .order_by(Cart.id)
        .first()
    )


async def ensure(ctx: Context, owner: str) -> Cart:
    row = await load(ctx, owner)
    if row is None:
        row = Cart(
            tenant_id=ctx.tenant.id,
            owner=owner,
            lines=[],
            form_token=secrets.token_urlsafe(24),
            updated_at=ctx.clock.now(),
        )
        await row.save()
    return row


async def save_lines(ctx: Context, row: Cart, lines: tuple[LineInput, ...]) -> None:
    """Store new lines; a changed cart gets a new form token (it is a new order to place)."""
    row.lines = [asdict(line) for line in lines][:MAX_LINES]
    row.form_token = secrets.token_urlsafe(24)
    row.order_id = None
    row.updated_at = ctx.clock.now()
    await row.save()


async def add_line(ctx: Context, owner: str, line: LineInput) -> Cart:
    row = await ensure(ctx, owner)
    await save_lines(ctx, row, (*lines_of(row), line))
    return row


async def remove_line(ctx: Context, owner: str, position: int) -> None:
    row = await load(ctx, owner)
    if row is None:
        return
    lines = list(lines_of(row))
    if 0 <= position < len(lines):
        del lines[position]
        await save_lines(ctx, row, tuple(lines))


async def rekey(ctx: Context, old_owner: str, new_owner: str) -> None:
    """After the session id rotated (sign-in), the cart follows the browser."""
    if old_owner == new_owner:
        return
    await (
        Cart.update({Cart.owner: new_owner, Cart.updated_at: ctx.clock.now()})
        .where((Cart.tenant_id == ctx.tenant.id) & (Cart.owner == old_owner))
        .run()
    )
