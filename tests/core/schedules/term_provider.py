"""A test-only ``Provider`` (code ``test_term``): one contract term per unit, ACTIVE at once.

A renewal line (``options["renews"]``, set by ``core.entitlements``) continues the old term:
the new one starts where it ends and lasts ``term_months``; a new line starts now.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.context import Context
from core.contracts.common import PluginAccount, ProductSpec
from core.contracts.providers import (
    ActionRequest,
    ActionResult,
    AllowedAction,
    EntitlementState,
    EntitlementView,
    FulfilmentResult,
    LineRequest,
)
from core.errors import FieldError
from core.hookspecs import hookimpl

CODE = "test_term"


def add_months(when: datetime, months: int) -> datetime:
    month = when.month - 1 + months
    return when.replace(year=when.year + month // 12, month=month % 12 + 1)


class TermProvider:
    code = CODE
    config_fields = ()

    def __init__(self, account: PluginAccount) -> None:
        self.account = account

    async def products(self, ctx: Context, config: dict[str, Any]) -> list[ProductSpec]:
        return []

    async def validate_line(self, ctx: Context, line: LineRequest) -> list[FieldError]:
        return []

    async def fulfil(self, ctx: Context, line: LineRequest) -> list[FulfilmentResult]:
        renews = line.options.get("renews")
        start = ctx.clock.now()
        data: dict[str, Any] = {"key": ctx.idempotency_key}
        if renews:
            start = datetime.fromisoformat(renews["expires_at"])
            data["common_name"] = renews["data"].get("common_name", "")
        return [
            FulfilmentResult(
                EntitlementState.ACTIVE,
                upstream_ref=f"term-{line.line_id}-{n}",
                data=data,
                expires_at=add_months(start, line.term_months),
            )
            for n in range(line.quantity)
        ]

    async def poll(self, ctx: Context, entitlement: EntitlementView) -> FulfilmentResult:
        return FulfilmentResult(entitlement.state, entitlement.upstream_ref, entitlement.data)

    async def allowed_actions(
        self, ctx: Context, entitlement: EntitlementView
    ) -> list[AllowedAction]:
        return []

    async def perform(
        self, ctx: Context, entitlement: EntitlementView, request: ActionRequest
    ) -> ActionResult:
        raise NotImplementedError

    async def renewal_opens(self, ctx: Context, entitlement: EntitlementView) -> datetime | None:
        return None


@hookimpl
def register_providers() -> list[type]:
    return [TermProvider]
