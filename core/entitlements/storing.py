"""Writing what providers answer: a line's results once, a poll's answer once, each with its
outbox event in the same transaction (``entitlement.issued`` when an entitlement becomes
usable, ``entitlement.pending`` when one is stored waiting for its upstream), so mail and
webhooks follow without a second source of truth."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from core import outbox
from core.context import Context
from core.contracts.providers import EntitlementState, FulfilmentResult
from core.db import write_transaction
from core.entitlements.renewals import mark_renewed
from core.entitlements.tables import Entitlement
from core.entitlements.views import EntitlementRecord
from core.renewal import METHOD_RULES

ISSUED_STATES = frozenset({EntitlementState.ACTIVE, EntitlementState.ISSUED})
"""States in which the customer can use an entitlement: reaching one announces it."""

PENDING_EVENT = "entitlement.pending"
"""Written when an entitlement is stored PENDING or an action sends it back to PENDING."""

DEFAULT_POLL_AFTER = 300
"""Seconds until a PENDING entitlement is asked again when its provider names no delay."""


def next_poll_at(result: FulfilmentResult, now: datetime) -> datetime | None:
    if result.state is not EntitlementState.PENDING:
        return None
    return now + timedelta(seconds=max(1, result.poll_after or DEFAULT_POLL_AFTER))


def issued_at(result: FulfilmentResult, now: datetime) -> datetime | None:
    if result.issued_at is not None:
        return result.issued_at
    return now if result.state in ISSUED_STATES else None


def auto_renews(payment_method: str) -> bool:
    """Paying with a recurring method sets automatic renewal (``core.renewal``); whether the
    entitlement can be renewed at all is the provider's ``renewal_opens``."""
    rule = METHOD_RULES.get(payment_method)
    return bool(rule and rule.sets_auto_renewal)


async def announce_issued(
    ctx: Context, entitlement_id: int, values: dict[str, Any], idempotency_key: str | None = None
) -> None:
    """``entitlement.issued``; ``idempotency_key`` tells a later issuance of the same
    entitlement (a reissue completed by a poll) from its first one."""
    expires = values.get("expires_at")
    await outbox.record(
        ctx,
        "entitlement",
        entitlement_id,
        "entitlement.issued",
        {
            "entitlement_id": entitlement_id,
            "order_id": values.get("order_id"),
            "customer_id": values.get("customer_id"),
            "provider_code": values.get("provider_code"),
            "product_code": values.get("product_code"),
            "state": str(values.get("state")),
            "expires_at": expires.isoformat() if expires else None,
        },
        idempotency_key=idempotency_key,
    )


async def announce_pending(
    ctx: Context, entitlement_id: int, values: dict[str, Any], cause: str, action: str | None
) -> None:
    """``entitlement.pending``: an entitlement now waits for its upstream (an application was
    received: ``core.entitlements.applications``). ``cause`` makes the key: ``stored`` for a
    new entitlement, the action's key when an action sent an existing one back to pending;
    ``action`` names that action (None: a paid order line)."""
    await outbox.record(
        ctx,
        "entitlement",
        entitlement_id,
        PENDING_EVENT,
        {
            "entitlement_id": entitlement_id,
            "order_id": values.get("order_id"),
            "customer_id": values.get("customer_id"),
            "provider_code": values.get("provider_code"),
            "provider_account_id": values.get("provider_account_id"),
            "product_code": values.get("product_code"),
            "upstream_ref": values.get("upstream_ref"),
            "action": action,
            "renews": values.get("renewed_from_id") is not None,
        },
        idempotency_key=f"{ctx.tenant.id}:entitlement:{entitlement_id}:pending:{cause}",
    )


async def store_line_results(
    ctx: Context,
    order: dict[str, Any],
    line: dict[str, Any],
    results: Sequence[FulfilmentResult],
    renews: dict[str, Any] | None = None,
) -> list[int]:
    """Store one order line's results as entitlements ``seq`` 0, 1, …; a second call with the
    same line stores nothing new and returns the ids stored first. ``renews`` (a renewal
    order's line, ``core.entitlements.renewals``): the first result continues that term."""
    now = ctx.clock.now()
    key = (Entitlement.tenant_id, Entitlement.order_line_id, Entitlement.seq)
    ids: list[int] = []
    async with write_transaction():
        for seq, result in enumerate(results):
            values: dict[str, Any] = {
                "tenant_id": ctx.tenant.id,
                "customer_id": order["customer_id"],
                "order_id": order["id"],
                "order_line_id": line["id"],
                "seq": seq,
                "provider_code": line["provider_code"],
                "provider_account_id": line["provider_account_id"],
                "product_code": line["product_code"],
                "state": result.state.value,
                "upstream_ref": result.upstream_ref,
                "data": dict(result.data),
                "issued_at": issued_at(result, now),
                "expires_at": result.expires_at,
                "next_poll_at": next_poll_at(result, now),
                "poll_attempts": 0,
                "auto_renew": auto_renews(order["payment_method"]),
                "payment_method": order["payment_method"],
                "created_at": now,
                "updated_at": now,
            }
            if renews is not None and seq == 0:
                values["renewed_from_id"] = renews["entitlement_id"]
                values["renewal_day"] = renews.get("renewal_day")
            inserted = await (
                Entitlement.insert(Entitlement(**values))
                .on_conflict(target=key, action="DO NOTHING")
                .returning(Entitlement.id)
                .run()
            )
            if inserted:
                ids.append(inserted[0]["id"])
                if result.state in ISSUED_STATES:
                    await announce_issued(ctx, ids[-1], values)
                    if values.get("renewed_from_id") is not None:
                        await mark_renewed(ctx, values["renewed_from_id"])
                elif result.state is EntitlementState.PENDING:
                    await announce_pending(ctx, ids[-1], values, "stored", None)
                continue
            existing = await (
                Entitlement.select(Entitlement.id)
                .where(
                    (Entitlement.tenant_id == ctx.tenant.id)
                    & (Entitlement.order_line_id == line["id"])
                    & (Entitlement.seq == seq)
                )
                .first()
                .run()
            )
            ids.append(existing["id"])
    return ids


async def store_poll_result(
    ctx: Context, record: EntitlementRecord, result: FulfilmentResult, claimed_attempts: int
) -> bool:
    """Write a poll's answer if the entitlement is still the pending one this poll claimed
    (``poll_attempts`` unchanged since); False when another writer got there first."""
    now = ctx.clock.now()
    values: dict[str, Any] = {
        "state": result.state.value,
        "upstream_ref": result.upstream_ref or record.upstream_ref,
        "data": {**record.data, **result.data},
        "issued_at": issued_at(result, now) or record.issued_at,
        "expires_at": result.expires_at or record.expires_at,
        "next_poll_at": next_poll_at(result, now),
        "updated_at": now,
    }
    async with write_transaction():
        changed = await (
            Entitlement.update({getattr(Entitlement, k): v for k, v in values.items()})
            .where(
                (Entitlement.id == record.id)
                & (Entitlement.tenant_id == ctx.tenant.id)
                & (Entitlement.state == EntitlementState.PENDING.value)
                & (Entitlement.poll_attempts == claimed_attempts)
            )
            .returning(Entitlement.id)
            .run()
        )
        if changed and result.state in ISSUED_STATES:
            announced = {
                **values,
                "order_id": record.order_id,
                "customer_id": record.customer_id,
                "provider_code": record.provider_code,
                "product_code": record.product_code,
            }
            again = None  # a later issuance (a reissue) is announced under its own key
            if record.issued_at is not None:
                again = f"{ctx.tenant.id}:entitlement:{record.id}:issued:{claimed_attempts}"
            await announce_issued(ctx, record.id, announced, again)
            if record.renewed_from_id is not None:
                await mark_renewed(ctx, record.renewed_from_id)
    return bool(changed)
