"""From a paid order to its entitlements, through each line's ``Provider``.

``fulfil_order`` is what the worker's task runs (``workers/tasks/fulfilment.py``). It is safe to
run twice, at once or after a crash:

- the order moves ``paid → fulfilling → fulfilled`` only through ``core.orders.lifecycle``;
- the order's ``Fulfilment`` row is *claimed* (``claimed_by`` until ``lease_until``) before any
  provider is called, so two tasks for one order never call the upstream at the same time; a
  task redelivered after its worker died carries the same claim (the task id) and takes over;
- each line's provider gets the key ``order:{order_id}:line:{line_id}`` and must not create
  twice on it; its results are stored once (unique ``(tenant_id, order_line_id, seq)``);
- any exception from a provider leaves the order ``fulfilling``: the attempt is recorded and
  the run is due again after a bounded exponential backoff (``core.entitlements.backoff``).

PENDING entitlements are asked again by ``poll_due`` when their ``next_poll_at`` comes; the
order becomes ``fulfilled`` when its lines are all stored and none of its entitlements is
pending. ``tenants_with_due_work`` and ``claim_due_fulfilments`` feed the periodic sweep.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from core.clock import Clock
from core.context import Context, context_scope, system_scope
from core.contracts.providers import EntitlementState
from core.entitlements.backoff import retry_delay
from core.entitlements.deps import EntitlementDeps
from core.entitlements.renewals import renewed_entitlement
from core.entitlements.storing import store_line_results, store_poll_result
from core.entitlements.tables import Entitlement, Fulfilment
from core.entitlements.views import EntitlementRecord
from core.errors import ValidationFailed
from core.orders.lifecycle import transition
from core.orders.lines import PricedLine
from core.orders.states import OrderState
from core.orders.tables import OrderLine
from core.orders.views import order_row

log = logging.getLogger("shomei.entitlements")

WORKING_STATES = frozenset({OrderState.PAID, OrderState.FULFILLING})


@dataclass(frozen=True)
class FulfilmentOutcome:
    """``fulfilled``; ``waiting`` (stored, some entitlements pending); ``retry`` (an upstream
    failed: try again in ``retry_in`` seconds); ``busy`` (another task holds the order);
    ``skipped`` (the order is not one to fulfil: unpaid, refunded, cancelled)."""

    status: str
    retry_in: int | None = None
    entitlement_ids: tuple[int, ...] = ()


@dataclass
class PollReport:
    polled: list[int] = field(default_factory=list)
    completed: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    orders_fulfilled: list[int] = field(default_factory=list)


def _where_run(ctx: Context, order_id: int) -> Any:
    return (Fulfilment.tenant_id == ctx.tenant.id) & (Fulfilment.order_id == order_id)


async def request_fulfilment(ctx: Context, order_id: int, lease_seconds: int) -> bool:
    """Record that a paid order is to be fulfilled (once; the ``order.paid`` handler and the
    task both call it). It is due for the sweep one lease from now, in case the task sent
    for it is lost. False when its fulfilment is already complete."""
    now = ctx.clock.now()
    with context_scope(ctx):
        await (
            Fulfilment.insert(
                Fulfilment(
                    tenant_id=ctx.tenant.id,
                    order_id=order_id,
                    next_attempt_at=now + timedelta(seconds=lease_seconds),
                    created_at=now,
                    updated_at=now,
                )
            )
            .on_conflict(target=(Fulfilment.tenant_id, Fulfilment.order_id), action="DO NOTHING")
            .run()
        )
        row = await Fulfilment.select(Fulfilment.completed_at).where(_where_run(ctx, order_id))
    return bool(row) and row[0]["completed_at"] is None


async def fulfil_order(
    ctx: Context, order_id: int, deps: EntitlementDeps, claim: str = ""
) -> FulfilmentOutcome:
    """Fulfil a paid order (see the module docstring). ``claim`` names the caller's attempt
    (the task id): the same claim may take over a run it held before."""
    with context_scope(ctx):
        order = await order_row(ctx, order_id)
        state = OrderState(order["state"])
        if state is OrderState.FULFILLED:
            return FulfilmentOutcome("fulfilled")
        if state not in WORKING_STATES:
            await _close_run(ctx, order_id)
            return FulfilmentOutcome("skipped")
        await request_fulfilment(ctx, order_id, deps.lease_seconds)
        token = claim or secrets.token_hex(16)
        attempts = await _claim_run(ctx, order_id, token, deps.lease_seconds)
        if attempts is None:
            if await finish_if_complete(ctx, order_id):
                return FulfilmentOutcome("fulfilled")
            return FulfilmentOutcome("waiting" if await _run_complete(ctx, order_id) else "busy")
        if state is OrderState.PAID:
            await _enter_fulfilling(ctx, order_id)
        try:
            ids = await _fulfil_lines(ctx, order, deps)
        except Exception as exc:  # any upstream failure is transient until a person says not
            delay = retry_delay(attempts, deps.retry_first_delay)
            await _release_run(ctx, order_id, token, f"{type(exc).__name__}: {exc}", delay)
            log.warning(
                "fulfilment failed, will retry",
                exc_info=exc,
                extra={"order_id": order_id, "attempts": attempts, "retry_in": delay},
            )
            return FulfilmentOutcome("retry", retry_in=delay)
        await _complete_run(ctx, order_id, token)
        done = await finish_if_complete(ctx, order_id)
        return FulfilmentOutcome("fulfilled" if done else "waiting", entitlement_ids=tuple(ids))


async def _run_complete(ctx: Context, order_id: int) -> bool:
    run = await Fulfilment.select(Fulfilment.completed_at).where(_where_run(ctx, order_id))
    return bool(run) and run[0]["completed_at"] is not None


async def _claim_run(ctx: Context, order_id: int, token: str, lease_seconds: int) -> int | None:
    """Take the order's run for one lease; its attempt number, or None when it is complete or
    held by another live claim."""
    now = ctx.clock.now()
    until = now + timedelta(seconds=lease_seconds)
    free = (
        Fulfilment.lease_until.is_null()
        | (Fulfilment.lease_until <= now)
        | (Fulfilment.claimed_by == token)
    )
    claimed = await (
        Fulfilment.update(
            {
                Fulfilment.claimed_by: token,
                Fulfilment.lease_until: until,
                Fulfilment.next_attempt_at: until,  # due for the sweep if this worker dies
                Fulfilment.attempts: Fulfilment.attempts + 1,
                Fulfilment.updated_at: now,
            }
        )
        .where(_where_run(ctx, order_id) & Fulfilment.completed_at.is_null() & free)
        .returning(Fulfilment.attempts)
        .run()
    )
    return claimed[0]["attempts"] if claimed else None


async def _release_run(ctx: Context, order_id: int, token: str, error: str, delay: int) -> None:
    now = ctx.clock.now()
    await (
        Fulfilment.update(
            {
                Fulfilment.claimed_by: "",
                Fulfilment.lease_until: None,
                Fulfilment.next_attempt_at: now + timedelta(seconds=delay),
                Fulfilment.last_error: error[:2000],
                Fulfilment.updated_at: now,
            }
        )
        .where(_where_run(ctx, order_id) & (Fulfilment.claimed_by == token))
        .run()
    )


async def _complete_run(ctx: Context, order_id: int, token: str) -> None:
    now = ctx.clock.now()
    await (
        Fulfilment.update(
            {
                Fulfilment.claimed_by: "",
                Fulfilment.lease_until: None,
                Fulfilment.next_attempt_at: None,
                Fulfilment.completed_at: now,
                Fulfilment.updated_at: now,
            }
        )
        .where(_where_run(ctx, order_id) & (Fulfilment.claimed_by == token))
        .run()
    )


async def _close_run(ctx: Context, order_id: int) -> None:
    """An order that left paid/fulfilling by another way (refund): nothing is due any more."""
    now = ctx.clock.now()
    await (
        Fulfilment.update(
            {
                Fulfilment.next_attempt_at: None,
                Fulfilment.completed_at: now,
                Fulfilment.updated_at: now,
            }
        )
        .where(_where_run(ctx, order_id) & Fulfilment.completed_at.is_null())
        .run()
    )


async def _enter_fulfilling(ctx: Context, order_id: int) -> None:
    try:
        await transition(ctx, order_id, OrderState.FULFILLING, "fulfilment started")
    except ValidationFailed:
        state = OrderState((await order_row(ctx, order_id))["state"])
        if state not in (OrderState.FULFILLING, OrderState.FULFILLED):
            raise


async def _fulfil_lines(ctx: Context, order: dict[str, Any], deps: EntitlementDeps) -> list[int]:
    """Ask each provider line's provider, in line order, skipping lines already stored."""
    lines = await (
        OrderLine.select()
        .where((OrderLine.order == order["id"]) & (OrderLine.tenant_id == ctx.tenant.id))
        .order_by(OrderLine.position)
        .run()
    )
    ids: list[int] = []
    for line in lines:
        if line["provider_account_id"] is None or not line["provider_code"]:
            continue  # an account credit or another line no provider delivers
        stored = await Entitlement.exists().where(
            (Entitlement.tenant_id == ctx.tenant.id) & (Entitlement.order_line_id == line["id"])
        )
        if stored:
            continue
        provider = await deps.provider(ctx, line["provider_code"], line["provider_account_id"])
        request = replace(PricedLine.from_row(line).as_request(), line_id=line["id"])
        renews = await renewed_entitlement(ctx, order, line)
        if renews is not None:  # the provider continues the old term (its end, its data)
            request = replace(request, options={**request.options, "renews": renews})
        key = f"order:{order['id']}:line:{line['id']}"
        results = await provider.fulfil(ctx.with_key(key), request)
        ids.extend(await store_line_results(ctx, order, line, results, renews))
    return ids


async def finish_if_complete(ctx: Context, order_id: int) -> bool:
    """Move the order to ``fulfilled`` once its run is complete and nothing is pending (which
    announces ``order.fulfilled``); True when it is fulfilled."""
    with context_scope(ctx):
        state = OrderState((await order_row(ctx, order_id))["state"])
        if state is OrderState.FULFILLED:
            return True
        if state is not OrderState.FULFILLING:
            return False
        if not await _run_complete(ctx, order_id):
            return False
        pending = await Entitlement.exists().where(
            (Entitlement.tenant_id == ctx.tenant.id)
            & (Entitlement.order_id == order_id)
            & (Entitlement.state == EntitlementState.PENDING.value)
        )
        if pending:
            return False
        try:
            await transition(ctx, order_id, OrderState.FULFILLED, "every entitlement delivered")
        except ValidationFailed:  # a concurrent finisher won; it announced it
            state = OrderState((await order_row(ctx, order_id))["state"])
            return state is OrderState.FULFILLED
        return True


async def poll_due(ctx: Context, deps: EntitlementDeps, batch: int = 50) -> PollReport:
    """Ask the providers about this tenant's PENDING entitlements whose ``next_poll_at`` has
    come (oldest first, at most ``batch``). Each is claimed (``poll_attempts`` + 1, not due
    for a lease) before its provider is called; a failure is due again after the backoff."""
    report = PollReport()
    with context_scope(ctx):
        now = ctx.clock.now()
        rows = await (
            Entitlement.select()
            .where(
                (Entitlement.tenant_id == ctx.tenant.id)
                & (Entitlement.state == EntitlementState.PENDING.value)
                & (Entitlement.next_poll_at <= now)
            )
            .order_by(Entitlement.next_poll_at)
            .limit(batch)
            .output(load_json=True)
            .run()
        )
        for row in rows:
            await _poll_record(ctx, EntitlementRecord.from_row(row), deps, report)
    return report


async def poll_now(ctx: Context, entitlement_id: int, deps: EntitlementDeps) -> PollReport:
    """Ask the provider about one PENDING entitlement of this tenant now, whatever its
    ``next_poll_at`` (the customer's "check now"); claimed like ``poll_due``'s, so a sweep
    polling it at the same moment does not store it twice. Nothing happens to any other."""
    report = PollReport()
    with context_scope(ctx):
        row = await (
            Entitlement.select()
            .where(
                (Entitlement.tenant_id == ctx.tenant.id)
                & (Entitlement.id == entitlement_id)
                & (Entitlement.state == EntitlementState.PENDING.value)
            )
            .first()
            .output(load_json=True)
            .run()
        )
        if row is not None:
            await _poll_record(ctx, EntitlementRecord.from_row(row), deps, report)
    return report


async def _poll_record(
    ctx: Context, record: EntitlementRecord, deps: EntitlementDeps, report: PollReport
) -> None:
    attempts = await _claim_poll(ctx, record, deps.lease_seconds)
    if attempts is None:
        return
    try:
        provider = await deps.provider(ctx, record.provider_code, record.provider_account_id)
        result = await provider.poll(ctx.with_key(f"ent:{record.id}:poll"), record.view())
    except Exception as exc:
        delay = retry_delay(attempts, deps.retry_first_delay)
        await _poll_failed(ctx, record.id, attempts, delay)
        report.failed.append(record.id)
        log.warning(
            "poll failed, will retry",
            exc_info=exc,
            extra={"entitlement_id": record.id, "attempts": attempts},
        )
        return
    report.polled.append(record.id)
    if not await store_poll_result(ctx, record, result, attempts):
        return
    if result.state is EntitlementState.PENDING:
        return
    report.completed.append(record.id)
    if record.order_id is not None and await finish_if_complete(ctx, record.order_id):
        report.orders_fulfilled.append(record.order_id)


async def _claim_poll(ctx: Context, record: EntitlementRecord, lease_seconds: int) -> int | None:
    now = ctx.clock.now()
    claimed = await (
        Entitlement.update(
            {
                Entitlement.poll_attempts: Entitlement.poll_attempts + 1,
                Entitlement.next_poll_at: now + timedelta(seconds=lease_seconds),
                Entitlement.updated_at: now,
            }
        )
        .where(
            (Entitlement.id == record.id)
            & (Entitlement.tenant_id == ctx.tenant.id)
            & (Entitlement.state == EntitlementState.PENDING.value)
            & (Entitlement.poll_attempts == record.poll_attempts)
        )
        .returning(Entitlement.poll_attempts)
        .run()
    )
    return claimed[0]["poll_attempts"] if claimed else None


async def _poll_failed(ctx: Context, entitlement_id: int, attempts: int, delay: int) -> None:
    now = ctx.clock.now()
    await (
        Entitlement.update(
            {
                Entitlement.next_poll_at: now + timedelta(seconds=delay),
                Entitlement.updated_at: now,
            }
        )
        .where(
            (Entitlement.id == entitlement_id)
            & (Entitlement.tenant_id == ctx.tenant.id)
            & (Entitlement.state == EntitlementState.PENDING.value)
            & (Entitlement.poll_attempts == attempts)
        )
        .run()
    )


async def claim_due_fulfilments(ctx: Context, lease_seconds: int, limit: int = 100) -> list[int]:
    """Order ids of this tenant whose run is due again (its backoff is over, or its worker
    vanished with the lease). Each is marked not due for a lease, so the sweep sends one task
    per run, not one per sweep."""
    with context_scope(ctx):
        now = ctx.clock.now()
        due = (
            (Fulfilment.tenant_id == ctx.tenant.id)
            & Fulfilment.completed_at.is_null()
            & (Fulfilment.next_attempt_at <= now)
        )
        rows = await Fulfilment.select(Fulfilment.id, Fulfilment.order_id).where(due).limit(limit)
        order_ids: list[int] = []
        for row in rows:
            marked = await (
                Fulfilment.update(
                    {
                        Fulfilment.next_attempt_at: now + timedelta(seconds=lease_seconds),
                        Fulfilment.updated_at: now,
                    }
                )
                .where(due & (Fulfilment.id == row["id"]))
                .returning(Fulfilment.id)
                .run()
            )
            if marked:
                order_ids.append(row["order_id"])
    return order_ids


async def tenants_with_due_work(clock: Clock, limit: int = 1000) -> list[int]:
    """Tenant ids with a pending entitlement or a fulfilment run due now (the sweep's fan-out),
    read across tenants on purpose."""
    now = clock.now()
    with system_scope("entitlements poll sweep"):
        polls = await (
            Entitlement.select(Entitlement.tenant_id)
            .where(
                (Entitlement.state == EntitlementState.PENDING.value)
                & (Entitlement.next_poll_at <= now)
            )
            .distinct()
            .limit(limit)
            .run()
        )
        runs = await (
            Fulfilment.select(Fulfilment.tenant_id)
            .where(Fulfilment.completed_at.is_null() & (Fulfilment.next_attempt_at <= now))
            .distinct()
            .limit(limit)
            .run()
        )
    return sorted({row["tenant_id"] for row in [*polls, *runs]})[:limit]
