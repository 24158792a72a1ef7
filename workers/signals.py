"""Signals that give every task the same context a web request has: tenant and log fields.

A producer passes the tenant in the message header ``shomei_tenant`` (see ``send_task``); the
worker opens ``core.context.tenant_scope`` before the task body runs and closes it after.
"""

from __future__ import annotations

import contextlib
from typing import Any

from celery import Celery
from celery.signals import task_postrun, task_prerun

from core.context import TenantRef, tenant_scope
from core.logs import bind_log_context

TENANT_HEADER = "shomei_tenant"
_open_scopes: dict[str, contextlib.ExitStack] = {}


def send_task(
    app: Celery,
    name: str,
    *,
    args: tuple[Any, ...] = (),
    tenant: TenantRef | None = None,
    **options: Any,
) -> Any:
    """Send a task by name, carrying the tenant (if any) in a header. Arguments must be JSON."""
    headers = dict(options.pop("headers", None) or {})
    if tenant is not None:
        headers[TENANT_HEADER] = {
            "id": tenant.id,
            "slug": tenant.slug,
            "language": tenant.language,
            "time_zone": tenant.time_zone,
        }
    return app.send_task(name, args=args, headers=headers, **options)


def _tenant_of(task: Any) -> TenantRef | None:
    raw = getattr(task.request, TENANT_HEADER, None) or (task.request.headers or {}).get(
        TENANT_HEADER
    )
    return TenantRef(**raw) if raw else None


def _open(task_id: str, task: Any, **_: Any) -> None:
    stack = contextlib.ExitStack()
    tenant = _tenant_of(task)
    if tenant is not None:
        stack.enter_context(tenant_scope(tenant))
    stack.enter_context(
        bind_log_context(task_id=task_id, task=task.name, tenant=tenant.slug if tenant else None)
    )
    _open_scopes[task_id] = stack


def _close(task_id: str, **_: Any) -> None:
    stack = _open_scopes.pop(task_id, None)
    if stack is not None:
        stack.close()


def connect() -> None:
    """Connect the handlers once per process (weak=False: they are module functions)."""
    task_prerun.connect(_open, weak=False, dispatch_uid="shomei-open-context")
    task_postrun.connect(_close, weak=False, dispatch_uid="shomei-close-context")
