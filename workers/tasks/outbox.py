"""The outbox relay: a periodic sweep fans out one delivery task per tenant with pending events,
so one tenant's backlog never delays another's."""

from __future__ import annotations

import asyncio

from celery import current_app, shared_task

from core.outbox_relay import deliver_pending, merge_handlers, tenants_with_pending
from workers.runtime import ensure_database, task_clock, tenant_ref
from workers.signals import send_task

RELAY = "shomei.default.relay_outbox"
DELIVER = "shomei.default.deliver_outbox"


@shared_task(name=RELAY, acks_late=True, max_retries=0)
def relay_outbox() -> int:
    """Idempotent (it only sends delivery tasks), so acks_late is safe."""
    ensure_database()
    tenant_ids = asyncio.run(tenants_with_pending())
    for tenant_id in tenant_ids:
        send_task(current_app, DELIVER, args=(tenant_id,))
    return len(tenant_ids)


@shared_task(name=DELIVER, acks_late=True, max_retries=0)
def deliver_outbox(tenant_id: int) -> int:
    """Handlers are idempotent by contract, so a redelivered task only repeats harmless work."""
    ensure_database()
    pm = current_app.conf.shomei_plugins
    handlers = merge_handlers(pm.hook.register_event_handlers()[::-1])

    async def run() -> int:
        tenant = await tenant_ref(tenant_id)
        report = await deliver_pending(tenant, handlers, task_clock())
        return len(report.delivered)

    return asyncio.run(run())
