"""Scheduled jobs as Celery tasks: thin wrappers over ``core.schedules``.

- ``schedule_sweep(job)`` (beat, queue ``default``): takes the job's run lock for today's JST
  date, lists the tenants with work due and sends one ``schedule_tenant`` per tenant on the
  job's queue. A second beat's sweep of the same day finds the lock taken and does nothing.
- ``schedule_tenant(job, tenant_id, today, cursor)``: one batch of one tenant; a full batch
  sends the next one (new cursor) to the back of the queue, so tenants take turns.
- ``collect_dead_letters`` (beat, every 5 minutes): lists outbox events the relay gave up on.

Reliability (docs/workers.md): every task here is idempotent (the run row and the marks), so
``acks_late`` and ``reject_on_worker_lost`` are on: a worker killed mid-batch leaves the message
in the broker and the batch is done again, without a second mail. Retries are bounded with
backoff below the broker's visibility timeout; a task that fails its last retry is recorded as
a dead letter by the ``task_failure`` handler below, for the operator page.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from datetime import date
from typing import Any

from celery import current_app, shared_task
from celery.signals import task_failure

from core.clock import JST, Clock, local_date
from core.context import Actor, Context, TenantRef, require_tenant
from core.contracts.payments import PaymentRequest, PaymentStart
from core.money import Rounding
from core.orders.deps import OrderDeps
from core.orders.providers import ProviderGate
from core.orders.totals import TaxPolicy
from core.plugins import Registry
from core.schedules import dead_letters
from core.schedules.jobs import SWEEP_TASK, build_jobs
from core.schedules.locks import claim_run, finish_run, run_lock
from core.schedules.renewal_charges import Charger
from core.schedules.renewal_orders import OrderDepsFactory
from core.schedules.sweep import DEFAULT_BATCH, Batch, find_tenants, run_batch
from core.settings import Settings
from tenants.credentials import Keyring
from tenants.payment_methods import TenantPaymentMethods
from tenants.provider_accounts import plugin_account
from tenants.tables import Tenant
from tenants.tenant_settings import get_settings as tenant_settings
from workers.runtime import ensure_database, task_clock, tenant_ref
from workers.signals import TENANT_HEADER, send_task
from workers.tasks.fulfilment import WorkerProviderAccounts

log = logging.getLogger("shomei.schedules")

TENANT_TASK = "shomei.default.schedule_tenant"
COLLECT_TASK = "shomei.default.collect_dead_letters"
RETRY = {"max_retries": 5, "retry_backoff": 30, "retry_backoff_max": 1800, "retry_jitter": True}


def saved_method_charger(settings: Settings, pm: Any) -> Charger:
    """Charge a saved card or wallet through the tenant's own payment account (its Stripe keys,
    its wallet settings), built per call from the registry and the sealed account."""
    registry = Registry(pm)
    keyring = Keyring.from_settings(settings)

    async def charge(ctx: Any, method: str, request: PaymentRequest) -> PaymentStart:
        account = await plugin_account(
            ctx, keyring, "payment", method, settings.secret_key, settings.public_url
        )
        adapter = registry.payment_adapters[method](account)
        return await adapter.charge_saved(ctx, request)

    return charge


def renewal_order_deps(settings: Settings, pm: Any) -> OrderDepsFactory:
    """The order engine's dependencies for a renewal order, as a checkout would build them:
    the provider gate over the tenant's provider accounts, the tenant's tax rounding and its
    enabled payment methods (a method the tenant switched off is refused, and the term goes
    to manual renewal)."""
    registry = Registry(pm)
    gate = ProviderGate(registry, WorkerProviderAccounts(settings))
    methods = TenantPaymentMethods(registry)

    async def deps(ctx: Context) -> OrderDeps:
        tenant = await tenant_settings(ctx)
        rounding = Rounding(tenant.tax_rounding)
        return OrderDeps(gate=gate, tax=TaxPolicy(rounding=rounding), payment_methods=methods)

    return deps


def _jobs() -> dict[str, Any]:
    settings = current_app.conf.shomei_settings
    pm = current_app.conf.shomei_plugins
    charger = saved_method_charger(settings, pm)
    extra = [job for jobs in pm.hook.register_schedule_jobs() for job in jobs]
    return build_jobs(settings.public_url, charger, renewal_order_deps(settings, pm), extra)


@shared_task(name=SWEEP_TASK, acks_late=True, reject_on_worker_lost=True, max_retries=0)
def schedule_sweep(job_name: str) -> int:
    """Once per job and JST day, whatever the number of beat processes."""
    ensure_database()
    job = _jobs()[job_name]
    clock = task_clock()
    today = local_date(clock, JST)
    settings = current_app.conf.shomei_settings
    runner = f"{socket.gethostname()}:{schedule_sweep.request.id}"

    async def claim() -> tuple[int | None, list[int]]:
        run_id = await claim_run(
            run_lock(settings.redis_url), job.name, today.isoformat(), runner, clock
        )
        if run_id is None:
            return None, []
        return run_id, await find_tenants(job, today)

    run_id, tenant_ids = asyncio.run(claim())
    if run_id is None:
        log.info("schedule already run today", extra={"job": job_name, "day": today.isoformat()})
        return 0

    async def refs() -> list[TenantRef]:
        """Every tenant's ref in one query (10,000 tenants are one round trip, not 10,000)."""
        rows = await Tenant.select(Tenant.id, Tenant.slug, Tenant.language, Tenant.time_zone).where(
            Tenant.id.is_in(tenant_ids or [0])
        )
        return [TenantRef(**row) for row in rows]

    for tenant in asyncio.run(refs()):
        send_tenant_batch(job_name, tenant, today, 0, job.queue)
    asyncio.run(finish_run(run_id, len(tenant_ids), clock))
    return len(tenant_ids)


def send_tenant_batch(job_name: str, tenant: Any, today: date, cursor: int, queue: str) -> Any:
    return send_task(
        current_app,
        TENANT_TASK,
        args=(job_name, tenant.id, today.isoformat(), cursor),
        tenant=tenant,
        queue=queue,
    )


@shared_task(
    name=TENANT_TASK,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    **RETRY,
)
def schedule_tenant(self: Any, job_name: str, tenant_id: int, today: str, cursor: int) -> int:
    """One batch of one tenant; sends the next batch itself when this one was full."""
    ensure_database()
    job = _jobs()[job_name]
    tenant = require_tenant()  # opened from the message header by workers.signals
    ctx = Context(tenant, Actor.system(f"schedule:{job_name}"), task_clock())
    day = date.fromisoformat(today)
    batch: Batch = asyncio.run(run_batch(job, ctx, day, cursor, DEFAULT_BATCH))
    if batch.next_cursor is not None:
        send_tenant_batch(job_name, tenant, day, batch.next_cursor, job.queue)
    return batch.done


@shared_task(name=COLLECT_TASK, acks_late=True, reject_on_worker_lost=True, max_retries=0)
def collect_dead_letters() -> int:
    ensure_database()
    return asyncio.run(dead_letters.collect_outbox(task_clock()))


def _record_failure(
    sender: Any = None,
    task_id: str | None = None,
    exception: BaseException | None = None,
    args: Any = None,
    **_: Any,
) -> None:
    """A task that failed for good (its last retry, or one without retries) is a dead letter."""
    if sender is None or task_id is None:
        return
    request = sender.request
    header = getattr(request, TENANT_HEADER, None) or (request.headers or {}).get(TENANT_HEADER)
    try:
        ensure_database()
        asyncio.run(
            dead_letters.record_task(
                task_id,
                sender.name,
                list(args or ()),
                (header or {}).get("id"),
                f"{type(exception).__name__}: {exception}",
                int(request.retries or 0) + 1,
                task_clock(),
            )
        )
    except Exception:  # never let bookkeeping hide the task's own failure
        log.exception("could not record a dead letter", extra={"task_id": task_id})


task_failure.connect(_record_failure, weak=False, dispatch_uid="shomei-dead-letters")


async def retry_dead_letter(
    app: Any, dead_letter_id: int, clock: Clock
) -> dead_letters.DeadLetterView:
    """The operator's retry: an outbox event goes back to the relay, a task is sent again."""
    letter = await dead_letters.get_dead_letter(dead_letter_id)
    if letter.kind == dead_letters.TASK:
        tenant = await tenant_ref(letter.tenant_id) if letter.tenant_id is not None else None
        send_task(app, letter.name, args=tuple(letter.args), tenant=tenant)
    return await dead_letters.mark_retried(dead_letter_id, clock)
