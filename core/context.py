"""The one context object every service and plugin contract takes, and the ambient tenant.

A request handler or a Celery task opens a tenant scope (``tenant_scope``); code that reads
tenant-owned rows asks ``require_tenant()`` and fails loudly outside such a scope.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass, replace
from enum import StrEnum

from core.clock import Clock
from core.errors import ShomeiError


class ActorKind(StrEnum):
    OPERATOR = "operator"
    STAFF = "staff"
    CUSTOMER = "customer"
    API_KEY = "api_key"
    SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    """Who is acting. ``on_behalf_of`` names the operator when one acts inside a tenant with
    consent (delegated delivery, 代行納品), so the audit log can attribute the action."""

    kind: ActorKind
    id: str
    display_name: str = ""
    on_behalf_of: str | None = None
    ip_address: str | None = None

    @classmethod
    def system(cls, reason: str = "system") -> Actor:
        return cls(kind=ActorKind.SYSTEM, id=reason, display_name=reason)


@dataclass(frozen=True)
class TenantRef:
    """The tenant a piece of work belongs to: its id plus what plugins need to speak to it."""

    id: int
    slug: str
    language: str = "ja"
    time_zone: str = "Asia/Tokyo"


@dataclass(frozen=True)
class Context:
    """Tenant, actor, clock and idempotency key: the single argument of every contract."""

    tenant: TenantRef
    actor: Actor
    clock: Clock
    idempotency_key: str = ""

    def with_key(self, idempotency_key: str) -> Context:
        """The same context for a sub-operation with its own derived idempotency key."""
        return replace(self, idempotency_key=idempotency_key)


class MissingTenantContext(ShomeiError):
    """Tenant-owned data was touched outside a tenant scope: a programming error."""


_current_tenant: contextvars.ContextVar[TenantRef | None] = contextvars.ContextVar(
    "shomei_tenant", default=None
)


@contextlib.contextmanager
def tenant_scope(tenant: TenantRef) -> Iterator[TenantRef]:
    """Make ``tenant`` the ambient tenant for the duration of the block."""
    token = _current_tenant.set(tenant)
    try:
        yield tenant
    finally:
        _current_tenant.reset(token)


def current_tenant() -> TenantRef | None:
    return _current_tenant.get()


def require_tenant() -> TenantRef:
    tenant = _current_tenant.get()
    if tenant is None:
        raise MissingTenantContext("tenant-owned data used outside a tenant scope")
    return tenant


_system_scope: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "shomei_system_scope", default=None
)


@contextlib.contextmanager
def system_scope(reason: str) -> Iterator[None]:
    """Work that spans tenants on purpose (the outbox relay's sweep, operator pages, resolving
    an API key before its tenant is known). On PostgreSQL this lifts row-level security for
    the block, so every use names its reason; nothing else may read across tenants."""
    token = _system_scope.set(reason)
    try:
        yield
    finally:
        _system_scope.reset(token)


def system_scope_reason() -> str | None:
    return _system_scope.get()


class TenantMismatch(ShomeiError):
    """A context names another tenant than the ambient scope: a programming error."""


@contextlib.contextmanager
def context_scope(ctx: Context) -> Iterator[None]:
    """The context's tenant as the ambient scope (PostgreSQL connections then carry it for
    row-level security). Inside the same tenant's scope it changes nothing; inside another
    tenant's scope it refuses."""
    ambient = _current_tenant.get()
    if ambient is None:
        with tenant_scope(ctx.tenant):
            yield
        return
    if ambient.id != ctx.tenant.id:
        raise TenantMismatch(f"context tenant {ctx.tenant.id} inside scope of {ambient.id}")
    yield
