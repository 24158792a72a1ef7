"""Webhook deliveries as Celery tasks: a sweep sends each due delivery's task, and a failed
attempt's task sends the next attempt with a countdown (the backoff). All logic is in
``core.messaging.webhooks``; a duplicate task is a no-op there (it claims by attempt count)."""

from __future__ import annotations

import asyncio
from typing import Any

from celery import Celery, current_app, shared_task

from core.context import Actor, Context, TenantRef, require_tenant
from core.messaging.webhooks import DueDelivery, WebhookGuard, attempt, claim_due, replay
from workers.runtime import ensure_database, task_clock, tenant_refs
from workers.signals import send_task

SWEEP = "shomei.default.dispatch_webhooks"
DELIVER = "shomei.default.deliver_webhook"


def send_attempt(
    app: Celery, due: DueDelivery, tenant: TenantRef, countdown: int | None = None
) -> Any:
    """Queue attempt number ``due.attempts + 1`` of a delivery, in its tenant's scope."""
    options: dict[str, Any] = {} if countdown is None else {"countdown": countdown}
    return send_task(app, DELIVER, args=(due.delivery_id, due.attempts), tenant=tenant, **options)


@shared_task(name=SWEEP, acks_late=True, max_retries=0)
def dispatch_webhooks() -> int:
    """Idempotent: deliveries are claimed (marked queued) before their task is sent."""
    ensure_database()

    async def run() -> list[tuple[DueDelivery, TenantRef]]:
        due = await claim_due(task_clock().now())
        tenants = await tenant_refs(item.tenant_id for item in due)
        return [(item, tenants[item.tenant_id]) for item in due if item.tenant_id in tenants]

    sent = asyncio.run(run())
    for item, tenant in sent:
        send_attempt(current_app, item, tenant)
    return len(sent)


@shared_task(name=DELIVER, acks_late=True, max_retries=0)
def deliver_webhook(delivery_id: int, expected_attempts: int) -> str:
    """One HTTP attempt; on failure the next attempt is sent with the backoff as countdown. The
    URL is checked again here, with the system resolver (``core.egress``)."""
    ensure_database()
    tenant = require_tenant()  # opened from the message header by workers.signals
    ctx = Context(tenant, Actor.system("webhooks"), task_clock())
    guard = WebhookGuard.from_settings(current_app.conf.shomei_settings)
    outcome = asyncio.run(attempt(ctx, delivery_id, expected_attempts, guard=guard))
    if outcome is None:
        return "skipped"
    if outcome.retry_in is not None:
        next_due = DueDelivery(tenant.id, delivery_id, expected_attempts + 1)
        send_attempt(current_app, next_due, tenant, countdown=outcome.retry_in)
    return outcome.status


async def replay_delivery(app: Celery, ctx: Context, delivery_id: int) -> DueDelivery:
    """The console's replay: mark the delivery due now and queue its attempt at once."""
    due = await replay(ctx, delivery_id)
    send_attempt(app, due, ctx.tenant)
    return due
