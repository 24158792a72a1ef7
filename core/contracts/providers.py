"""The Provider contract: from a paid order line to an entitlement, and its lifecycle.

An *entitlement* is what the customer bought and can use: a voucher code (DigiCert-style), a
contract application (SECOM-style), a terminal-certificate reissue (NACCS-style) or a hosting
contract term. The order engine stores it; the provider says what it is and what may happen next.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, Protocol, runtime_checkable

from core.context import Context
from core.contracts.common import ConfigField, ProductSpec, Yen
from core.errors import FieldError


class EntitlementState(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    ISSUED = "issued"
    USED = "used"
    REISSUED = "reissued"
    REVOKED = "revoked"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    RENEWED = "renewed"


@dataclass(frozen=True)
class LineRequest:
    """One order line as the customer or staff asked for it, before or after payment."""

    product_code: str
    quantity: int = 1
    term_months: int = 12
    fqdns: int = 0
    wildcards: int = 0
    unit_price: Yen = 0
    options: dict[str, Any] = field(default_factory=dict)
    line_id: int | None = None


@dataclass(frozen=True)
class EntitlementView:
    """What the provider knows of one entitlement; ``data`` is the provider's own record."""

    id: int
    product_code: str
    state: EntitlementState
    created_at: datetime
    issued_at: datetime | None = None
    expires_at: datetime | None = None
    upstream_ref: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FulfilmentResult:
    """The outcome of fulfilling or polling: new state, the upstream's reference, and when to
    ask again (``poll_after`` seconds) while the upstream is still working."""

    state: EntitlementState
    upstream_ref: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    poll_after: int | None = None
    issued_at: datetime | None = None
    expires_at: datetime | None = None


@dataclass(frozen=True)
class AllowedAction:
    """An action the customer or staff may take now, with the rule that allows it and until when."""

    action: str
    rule_id: str
    until: datetime | None = None
    paid: bool = False


@dataclass(frozen=True)
class ActionRequest:
    action: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ActionResult:
    state: EntitlementState
    data: dict[str, Any] = field(default_factory=dict)
    new_entitlement: FulfilmentResult | None = None
    message_id: str | None = None


@runtime_checkable
class Provider(Protocol):
    """A certificate provider configured per tenant through a provider account."""

    code: ClassVar[str]
    config_fields: ClassVar[tuple[ConfigField, ...]]

    async def products(self, ctx: Context, config: dict[str, Any]) -> list[ProductSpec]:
        """The products this provider account sells."""
        ...

    async def validate_line(self, ctx: Context, line: LineRequest) -> list[FieldError]:
        """Refuse a line the provider would refuse (limits, terms); empty when acceptable."""
        ...

    async def fulfil(self, ctx: Context, line: LineRequest) -> list[FulfilmentResult]:
        """Turn one paid line into its entitlements (one per quantity unit where that applies).
        Called with an idempotency key derived from the line: calling twice creates nothing new."""
        ...

    async def poll(self, ctx: Context, entitlement: EntitlementView) -> FulfilmentResult:
        """Ask the upstream how a pending entitlement is doing."""
        ...

    async def allowed_actions(
        self, ctx: Context, entitlement: EntitlementView
    ) -> list[AllowedAction]:
        """The actions allowed now, judged with ``ctx.clock`` (cancel, reissue, revoke, renew…)."""
        ...

    async def perform(
        self, ctx: Context, entitlement: EntitlementView, request: ActionRequest
    ) -> ActionResult:
        """Carry out one allowed action; refuse one that ``allowed_actions`` does not list."""
        ...

    async def renewal_opens(self, ctx: Context, entitlement: EntitlementView) -> datetime | None:
        """When renewal becomes possible (for example 90 days before expiry), or None."""
        ...
