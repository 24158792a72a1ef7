"""The audit log: append-only (no update or delete function; a PostgreSQL trigger refuses both).

Who (actor kind, id, display name, and ``on_behalf_of`` when an operator acts inside a tenant
with consent), what (action), which object (type and id), when (the context's clock) and from
where (the actor's IP address).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.clock import Clock
from core.context import Actor, Context
from tenants.jsonvalues import as_dict
from tenants.scoping import scoped
from tenants.tables import AuditEntry

MAX_PER_PAGE = 200


@dataclass(frozen=True)
class AuditView:
    id: int
    actor_kind: str
    actor_id: str
    actor_name: str
    on_behalf_of: str | None
    action: str
    object_type: str
    object_id: str
    ip_address: str | None
    details: dict[str, Any]
    occurred_at: datetime


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditView]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


async def write_audit(
    tenant_id: int,
    actor: Actor,
    clock: Clock,
    action: str,
    object_type: str = "",
    object_id: object = "",
    details: dict[str, Any] | None = None,
) -> None:
    """Append one entry for ``tenant_id`` (used where no tenant scope exists: operator review)."""
    await AuditEntry(
        tenant_id=tenant_id,
        actor_kind=actor.kind.value,
        actor_id=str(actor.id)[:64],
        actor_name=actor.display_name[:255],
        on_behalf_of=actor.on_behalf_of,
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:64],
        ip_address=actor.ip_address,
        details=details or {},
        occurred_at=clock.now(),
    ).save()


async def audit(
    ctx: Context,
    action: str,
    object_type: str = "",
    object_id: object = "",
    details: dict[str, Any] | None = None,
) -> None:
    """Append one entry for the context's tenant, actor and clock."""
    await write_audit(ctx.tenant.id, ctx.actor, ctx.clock, action, object_type, object_id, details)


async def list_audit(page: int = 1, per_page: int = 50) -> AuditPage:
    """The ambient tenant's entries, newest first."""
    page = max(1, page)
    per_page = min(max(1, per_page), MAX_PER_PAGE)
    rows = (
        await scoped(AuditEntry)
        .select()
        .order_by(AuditEntry.occurred_at, AuditEntry.id, ascending=False)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    total = await scoped(AuditEntry).count()
    entries = [
        AuditView(
            id=row["id"],
            actor_kind=row["actor_kind"],
            actor_id=row["actor_id"],
            actor_name=row["actor_name"],
            on_behalf_of=row["on_behalf_of"],
            action=row["action"],
            object_type=row["object_type"],
            object_id=row["object_id"],
            ip_address=row["ip_address"],
            details=as_dict(row["details"]),
            occurred_at=row["occurred_at"],
        )
        for row in rows
    ]
    return AuditPage(entries=entries, page=page, per_page=per_page, total=total)
