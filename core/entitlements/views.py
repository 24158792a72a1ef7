"""Reading entitlements: the stored record, and the ``EntitlementView`` a provider is shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.context import Context
from core.contracts.providers import EntitlementState, EntitlementView
from core.entitlements.tables import Entitlement
from core.errors import NotFound


@dataclass(frozen=True)
class EntitlementRecord:
    """One entitlement as stored: the provider's view plus what the engine keeps around it."""

    id: int
    customer_id: int | None
    order_id: int | None
    order_line_id: int | None
    seq: int
    parent_id: int | None
    provider_code: str
    provider_account_id: int | None
    product_code: str
    state: EntitlementState
    upstream_ref: str | None
    data: dict[str, Any]
    issued_at: datetime | None
    expires_at: datetime | None
    next_poll_at: datetime | None
    poll_attempts: int
    auto_renew: bool
    payment_method: str
    renewal_day: int | None
    renewed_from_id: int | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> EntitlementRecord:
        values = {name: row[name] for name in cls.__dataclass_fields__}
        values["state"] = EntitlementState(row["state"])
        values["data"] = dict(row["data"] or {})
        return cls(**values)

    def view(self) -> EntitlementView:
        """What the provider sees of it (``core.contracts.providers.EntitlementView``)."""
        return EntitlementView(
            id=self.id,
            product_code=self.product_code,
            state=self.state,
            created_at=self.created_at,
            issued_at=self.issued_at,
            expires_at=self.expires_at,
            upstream_ref=self.upstream_ref,
            data=dict(self.data),
        )


async def entitlement_row(ctx: Context, entitlement_id: int) -> dict[str, Any]:
    """The row, or NotFound when it is not this tenant's (exactly like a missing id)."""
    row = await (
        Entitlement.select()
        .where((Entitlement.id == entitlement_id) & (Entitlement.tenant_id == ctx.tenant.id))
        .first()
        .output(load_json=True)
        .run()
    )
    if row is None:
        raise NotFound("entitlements.entitlement.not_found", entitlement_id)
    return row


async def load_record(ctx: Context, entitlement_id: int) -> EntitlementRecord:
    return EntitlementRecord.from_row(await entitlement_row(ctx, entitlement_id))
