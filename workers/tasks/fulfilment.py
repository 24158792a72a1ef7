"""Fulfilment as Celery tasks on the ``provider`` queue, and the hooks that wire them in.

- ``order.paid`` (outbox handler, run by the relay): records the order's fulfilment run and
  sends ``shomei.provider.fulfil_order`` with the tenant header.
- ``shomei.provider.fulfil_order``: calls ``core.entitlements.fulfilment.fulfil_order`` with the
  task id as its claim. Idempotent, so ``acks_late`` (a message is acknowledged after the task
  ran) and ``reject_on_worker_lost`` (a killed pool child's message goes back to the queue);
  an upstream failure is retried with the service's backoff as countdown, a bounded number of
  times, after which the sweep takes over.
- ``shomei.provider.poll_due`` (beat, every 30 s): one ``shomei.provider.poll_tenant`` per tenant
  with due work, which polls that tenant's due PENDING entitlements and re-sends the fulfilment
  runs that are due again (backoff over, or their worker vanished with its lease).

This module is a built-in plugin (``core.plugins.DEFAULT_PLUGINS``): its hooks register the
handler, the beat entry and the module itself as a task module.
"""

from __future__ import annotations

import asyncio
from typing import Any

from celery import Celery, current_app, shared_task

from core.context import Actor, Context, TenantRef, require_tenant
from core.contracts.common import PluginAccount
from core.egress import Egress
from core.entitlements.backoff import retry_delay
from core.entitlements.deps import DEFAULT_LEASE_SECONDS, EntitlementDeps
from core.entitlements.fulfilment import (
    claim_due_fulfilments,
    fulfil_order,
    poll_due,
    request_fulfilment,
    tenants_with_due_work,
)
from core.errors import NotFound
from core.hookspecs import hookimpl
from core.outbox_relay import Event, Handler
from core.plugins import Registry
from core.settings import Settings
from tenants.credentials import Keyring
from tenants.provider_accounts import plugin_account_by_id
from workers.runtime import ensure_database, task_clock, tenant_refs
from workers.signals import send_task

FULFIL = "shomei.provider.fulfil_order"
POLL_DUE = "shomei.provider.poll_due"
POLL_TENANT = "shomei.provider.poll_tenant"
POLL_EVERY = 30.0
POLL_BATCH = 50
MAX_RETRIES = 8
"""Celery retries of one fulfil task (30 s … 30 min apart); the sweep goes on after them."""


def lease_seconds(settings: Settings) -> int:
    """A claim outlives the longest a task may run (its hard time limit), with a margin."""
    return settings.task_time_limit + max(10, settings.task_time_limit // 5)


class WorkerProviderAccounts:
    """The tenant's provider accounts as the worker opens them (keyring from its settings)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.keyring = Keyring.from_settings(settings)

    async def plugin_account(self, ctx: Context, provider_account_id: int) -> PluginAccount:
        return await plugin_account_by_id(
            ctx,
            self.keyring,
            provider_account_id,
            self.settings.secret_key,
            self.settings.public_url,
            Egress.from_settings(self.settings),
        )


def worker_deps(app: Celery) -> EntitlementDeps:
    """Built once per app and kept on it: the Registry of its plugins and its provider accounts.
    (Kept by ``id(app)`` in a module dict, a later app could inherit a collected app's id and
    with it another app's settings and plugins.)"""
    found: EntitlementDeps | None = getattr(app, "shomei_entitlement_deps", None)
    if found is None:
        settings: Settings = app.conf.shomei_settings
        found = EntitlementDeps(
            registry=Registry(app.conf.shomei_plugins),
            accounts=WorkerProviderAccounts(settings),
            lease_seconds=lease_seconds(settings),
            retry_first_delay=settings.upstream_retry_delay,
        )
        app.shomei_entitlement_deps = found  # type: ignore[attr-defined]
    return found


def _system_ctx(tenant: TenantRef) -> Context:
    return Context(tenant, Actor.system("fulfilment"), task_clock())


async def on_order_paid(ctx: Context, event: Event) -> None:
    """Outbox handler: a paid order gets its fulfilment run and a task (once it is complete,
    a redelivered event sends nothing). Outside a shomei Celery app (a test delivering events
    in-process) only the run is recorded: the sweep sends its task when its lease is over."""
    order_id = int(event.payload.get("order_id") or event.aggregate_id)
    settings: Settings | None = getattr(current_app.conf, "shomei_settings", None)
    lease = lease_seconds(settings) if settings is not None else DEFAULT_LEASE_SECONDS
    if await request_fulfilment(ctx, order_id, lease) and settings is not None:
        send_task(current_app, FULFIL, args=(order_id,), tenant=ctx.tenant)


@shared_task(
    name=FULFIL,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
)
def fulfil_order_task(self: Any, order_id: int) -> str:
    ensure_database()
    ctx = _system_ctx(require_tenant())  # opened from the message header by workers.signals
    deps = worker_deps(self.app)
    try:
        outcome = asyncio.run(fulfil_order(ctx, order_id, deps, claim=self.request.id))
    except NotFound:
        return "not_found"
    except Exception as exc:  # the database or broker hiccupped: the same claim tries again
        delay = retry_delay(self.request.retries + 1, deps.retry_first_delay)
        raise self.retry(exc=exc, countdown=delay) from exc
    if outcome.retry_in is not None and self.request.retries < self.max_retries:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


@shared_task(name=POLL_DUE, bind=True, acks_late=True, max_retries=0)
def poll_due_sweep(self: Any) -> int:
    """Idempotent (it only sends per-tenant tasks), so acks_late is safe."""
    ensure_database()

    async def run() -> list[TenantRef]:
        return list((await tenant_refs(await tenants_with_due_work(task_clock()))).values())

    tenants = asyncio.run(run())
    for tenant in tenants:
        send_task(self.app, POLL_TENANT, args=(tenant.id,), tenant=tenant)
    return len(tenants)


@shared_task(name=POLL_TENANT, bind=True, acks_late=True, max_retries=0)
def poll_tenant(self: Any, tenant_id: int) -> int:
    """Polls are reads and claims are conditional, so running twice is harmless."""
    ensure_database()
    tenant = require_tenant()
    if tenant.id != tenant_id:
        raise ValueError(f"task for tenant {tenant_id} sent with tenant {tenant.id}'s header")
    ctx = _system_ctx(tenant)
    deps = worker_deps(self.app)

    async def run() -> list[int]:
        await poll_due(ctx, deps, batch=POLL_BATCH)
        return await claim_due_fulfilments(ctx, deps.lease_seconds)

    order_ids = asyncio.run(run())
    for order_id in order_ids:
        send_task(self.app, FULFIL, args=(order_id,), tenant=tenant)
    return len(order_ids)


@hookimpl
def register_event_handlers() -> dict[str, list[Handler]]:
    return {"order.paid": [on_order_paid]}


@hookimpl
def register_periodic_tasks() -> dict[str, dict[str, Any]]:
    return {"entitlements-poll": {"task": POLL_DUE, "schedule": POLL_EVERY}}


@hookimpl
def register_task_modules() -> list[str]:
    return ["workers.tasks.fulfilment"]
