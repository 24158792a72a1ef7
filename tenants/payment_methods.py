"""The tenant's payment methods, as core asks for them (``core.catalog.payment_methods.
EnabledPaymentMethods``).

``TenantPaymentMethods`` knows the registered adapter codes and answers which of them the
tenant has an enabled ``payment`` account of (``tenants/provider_accounts.py``), in
``core.renewal.METHOD_RULES``' order (card, wallet, bank transfer, direct debit), then the
rest by code. Web requests and the worker's renewal orders use the same class, so a method the
tenant switched off is refused the same way at checkout and at automatic renewal.
"""

from __future__ import annotations

from core.context import Context
from core.plugins import Registry
from core.renewal import METHOD_RULES
from tenants.provider_accounts import PluginKind
from tenants.scoping import scoped
from tenants.tables import ProviderAccount


class TenantPaymentMethods:
    """The tenant's payment methods as core asks for them (``EnabledPaymentMethods``)."""

    def __init__(self, registry: Registry) -> None:
        # a stable order for pages and answers: core.renewal's methods first, then the rest
        first = [code for code in METHOD_RULES if code in registry.payment_adapters]
        rest = sorted(code for code in registry.payment_adapters if code not in METHOD_RULES)
        self.known: tuple[str, ...] = (*first, *rest)

    async def enabled(self, ctx: Context) -> tuple[str, ...]:
        rows = await (
            scoped(ProviderAccount, ctx)
            .select(ProviderAccount.plugin_code)
            .where(
                (ProviderAccount.kind == PluginKind.PAYMENT.value)
                & (ProviderAccount.enabled == True)  # noqa: E712 - a SQL comparison
            )
            .run()
        )
        codes = {row["plugin_code"] for row in rows}
        return tuple(code for code in self.known if code in codes)
