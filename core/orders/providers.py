"""Asking each line's provider whether it would accept the line, before an order is accepted.

The provider class comes from the Registry by the product's provider code and is built for the
tenant's provider account (``cls(PluginAccount)``). Its field errors come back renamed to the
line they belong to: ``quantity`` of the first line becomes ``lines[0].quantity``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from core.context import Context
from core.contracts.common import PluginAccount
from core.errors import FieldError, PluginNotFound
from core.orders.lines import PricedLine
from core.plugins import Registry


class ProviderAccounts(Protocol):
    """Where a tenant's provider account configuration comes from (tenants/ provides it)."""

    async def plugin_account(self, ctx: Context, provider_account_id: int) -> PluginAccount: ...


@dataclass(frozen=True)
class ProviderGate:
    registry: Registry
    accounts: ProviderAccounts

    async def validate(self, ctx: Context, lines: Sequence[PricedLine | None]) -> list[FieldError]:
        """Every provider's field errors for ``lines`` (None and account credit are skipped)."""
        errors: list[FieldError] = []
        for position, line in enumerate(lines):
            if line is None or line.provider_account_id is None:
                continue
            try:
                cls = self.registry.provider(line.provider_code)
            except PluginNotFound:
                errors.append(
                    FieldError(
                        f"lines[{position}].product_id",
                        "orders.line.provider_unavailable",
                        {"provider": line.provider_code},
                    )
                )
                continue
            provider = cls(await self.accounts.plugin_account(ctx, line.provider_account_id))
            found = await provider.validate_line(ctx, line.as_request())
            errors.extend(replace(e, field=f"lines[{position}].{e.field}") for e in found)
        return errors
