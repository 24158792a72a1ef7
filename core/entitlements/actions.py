"""Actions on an entitlement (cancel, reissue, redeem, renew…), always through its provider.

``allowed_actions`` asks the provider what may be done now (judged with ``ctx.clock``; it must
not call an upstream, pages call it on every render). ``perform`` asks again at request time,
refuses an action not listed (``FieldError("action", "entitlements.action.not_allowed")``),
lets the provider carry it out, then writes in one transaction: the new state and data, a new
entitlement when the provider returns one (``parent_id`` = this one), an audit entry naming
the rule that allowed it, and the outbox event ``entitlement.action_performed``. An action
that leaves an entitlement (this one or the new one) PENDING, such as a certificate request
or a reissue waiting for its upstream, also writes ``entitlement.pending`` and makes it due
for ``poll_due``.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from core import outbox
from core.context import Context, context_scope
from core.contracts.providers import (
    ActionRequest,
    AllowedAction,
    EntitlementState,
    FulfilmentResult,
)
from core.db import write_transaction
from core.entitlements.deps import EntitlementDeps
from core.entitlements.storing import (
    ISSUED_STATES,
    announce_issued,
    announce_pending,
    issued_at,
    next_poll_at,
)
from core.entitlements.tables import Entitlement
from core.entitlements.views import EntitlementRecord, load_record
from core.errors import FieldError, ValidationFailed

AUDIT_WRITER = "tenants.audit:audit"
"""The audit log lives in ``tenants/``, which core reaches by name at runtime only."""


@dataclass(frozen=True)
class PerformOutcome:
    entitlement: EntitlementRecord
    allowed_by: AllowedAction
    new_entitlement: EntitlementRecord | None = None
    message_id: str | None = None


def _audit_writer() -> Callable[..., Awaitable[None]]:
    module, _, name = AUDIT_WRITER.partition(":")
    return getattr(importlib.import_module(module), name)


def refused(action: str) -> ValidationFailed:
    return ValidationFailed(
        [FieldError("action", "entitlements.action.not_allowed", {"action": action})]
    )


async def allowed_actions(
    ctx: Context, entitlement_id: int, deps: EntitlementDeps
) -> list[AllowedAction]:
    """What the customer or staff may do with this entitlement now (NotFound if not ours)."""
    with context_scope(ctx):
        record = await load_record(ctx, entitlement_id)
        provider = await deps.provider(ctx, record.provider_code, record.provider_account_id)
        return list(await provider.allowed_actions(ctx, record.view()))


async def perform(
    ctx: Context, entitlement_id: int, request: ActionRequest, deps: EntitlementDeps
) -> PerformOutcome:
    """Carry out one allowed action (see the module docstring). The provider's key is
    ``ent:{id}:act:{ctx.idempotency_key}`` (the action request or form token)."""
    with context_scope(ctx):
        record = await load_record(ctx, entitlement_id)
        provider = await deps.provider(ctx, record.provider_code, record.provider_account_id)
        allowed = await provider.allowed_actions(ctx, record.view())
        rule = next((a for a in allowed if a.action == request.action), None)
        if rule is None:
            raise refused(request.action)
        token = ctx.idempotency_key or f"{request.action}:{record.updated_at.isoformat()}"
        key = f"ent:{record.id}:act:{token}"
        result = await provider.perform(ctx.with_key(key), record.view(), request)
        now = ctx.clock.now()
        values: dict[Any, Any] = {
            Entitlement.state: result.state.value,
            Entitlement.data: {**record.data, **result.data},
            Entitlement.updated_at: now,
        }
        to_pending = result.state is EntitlementState.PENDING
        if to_pending:  # a new wait upstream: polled from the first backoff step again
            values[Entitlement.next_poll_at] = next_poll_at(FulfilmentResult(result.state), now)
            values[Entitlement.poll_attempts] = 0
        async with write_transaction():
            changed = await (
                Entitlement.update(values)
                .where(
                    (Entitlement.id == record.id)
                    & (Entitlement.tenant_id == ctx.tenant.id)
                    & (Entitlement.state == record.state.value)
                )
                .returning(Entitlement.id)
                .run()
            )
            if not changed:
                raise ValidationFailed(
                    [FieldError("action", "entitlements.action.changed_concurrently")]
                )
            if to_pending and record.state is not EntitlementState.PENDING:
                await announce_pending(ctx, record.id, _announced(record), key, request.action)
            child_id = None
            if result.new_entitlement is not None:
                child_id = await _insert_child(ctx, record, result.new_entitlement, request.action)
            details: dict[str, Any] = {
                "action": request.action,
                "rule_id": rule.rule_id,
                "paid": rule.paid,
                "from": record.state.value,
                "to": result.state.value,
                "new_entitlement_id": child_id,
            }
            await _audit_writer()(
                ctx, f"entitlement.{request.action}", "entitlement", record.id, details
            )
            await outbox.record(
                ctx,
                "entitlement",
                record.id,
                "entitlement.action_performed",
                {"entitlement_id": record.id, "customer_id": record.customer_id, **details},
                idempotency_key=f"{ctx.tenant.id}:{key}",
            )
        updated = await load_record(ctx, record.id)
        child = await load_record(ctx, child_id) if child_id is not None else None
    return PerformOutcome(updated, rule, child, result.message_id)


def _announced(record: EntitlementRecord) -> dict[str, Any]:
    return {
        "order_id": record.order_id,
        "customer_id": record.customer_id,
        "provider_code": record.provider_code,
        "provider_account_id": record.provider_account_id,
        "product_code": record.product_code,
        "upstream_ref": record.upstream_ref,
    }


async def _insert_child(
    ctx: Context, parent: EntitlementRecord, result: FulfilmentResult, action: str
) -> int:
    now = ctx.clock.now()
    values: dict[str, Any] = {
        "tenant_id": ctx.tenant.id,
        "customer_id": parent.customer_id,
        "order_id": parent.order_id,
        "order_line_id": None,
        "seq": 0,
        "parent_id": parent.id,
        "provider_code": parent.provider_code,
        "provider_account_id": parent.provider_account_id,
        "product_code": parent.product_code,
        "state": result.state.value,
        "upstream_ref": result.upstream_ref,
        "data": dict(result.data),
        "issued_at": issued_at(result, now),
        "expires_at": result.expires_at,
        "next_poll_at": next_poll_at(result, now),
        "auto_renew": parent.auto_renew,
        "payment_method": parent.payment_method,
        "renewal_day": parent.renewal_day,
        "created_at": now,
        "updated_at": now,
    }
    inserted = await Entitlement.insert(Entitlement(**values)).returning(Entitlement.id).run()
    child_id = inserted[0]["id"]
    if result.state in ISSUED_STATES:
        await announce_issued(ctx, child_id, values)
    elif result.state is EntitlementState.PENDING:
        await announce_pending(ctx, child_id, values, "stored", action)
    return child_id
