"""The worker's renewal charger uses the tenant's own payment account: a wallet renewal is
debited once per key, and a tenant without the account is refused; renewal orders obey the
tenant's enabled payment methods."""

from datetime import date

import pytest

from core.catalog.payment_methods import refuse_unaccepted
from core.clock import FrozenClock
from core.context import tenant_scope
from core.contracts.payments import PaymentRequest, PaymentState
from core.errors import ValidationFailed
from core.plugins import build_plugin_manager
from plugins.wallet import ledger
from tenants.credentials import Keyring
from tenants.provider_accounts import save_account
from tests.core.schedules.helpers import morning, tenant_with_customer
from tests.plugins.wallet.helpers import PASSWORD, topup_outcome
from workers.tasks.schedules import renewal_order_deps, saved_method_charger


async def test_the_charger_debits_the_customers_wallet_through_the_tenants_account(settings):
    clock = FrozenClock(morning(date(2027, 6, 10)))
    ctx, customer = await tenant_with_customer(clock)
    charge = saved_method_charger(settings, build_plugin_manager(load_entrypoints=False))
    request = PaymentRequest("entitlement_renewal", 1, 13_200, customer)
    with tenant_scope(ctx.tenant):
        wallet = await ledger.open_wallet(ctx, customer, PASSWORD)
        await ledger.set_linked(ctx, wallet.id, True)
        await ledger.top_up(ctx, "card", topup_outcome(wallet.id, 20_000, "pi_charger"))
        with pytest.raises(ValidationFailed):  # no wallet payment account yet
            await charge(ctx.with_key("renew:1:20270630:1"), "wallet", request)
        await save_account(ctx, Keyring.from_settings(settings), "payment", "wallet", {})
        first = await charge(ctx.with_key("renew:1:20270630:1"), "wallet", request)
        again = await charge(ctx.with_key("renew:1:20270630:1"), "wallet", request)
        assert first.state is PaymentState.SUCCEEDED and again.reference == first.reference
        assert await ledger.balance(ctx, wallet.id) == 20_000 - 13_200


async def test_renewal_orders_refuse_a_method_the_tenant_switched_off(settings):
    """The worker builds the order engine's dependencies as a checkout does: a renewal by a
    payment method whose account the tenant disabled is refused on ``payment_method``."""
    clock = FrozenClock(morning(date(2027, 6, 10)))
    ctx, _ = await tenant_with_customer(clock)
    deps_for = renewal_order_deps(settings, build_plugin_manager(load_entrypoints=False))
    keyring = Keyring.from_settings(settings)
    with tenant_scope(ctx.tenant):
        await save_account(ctx, keyring, "payment", "wallet", {})
        deps = await deps_for(ctx)
        assert deps.payment_methods is not None
        await refuse_unaccepted(ctx, "wallet", [], deps.payment_methods)  # accepted
        await save_account(ctx, keyring, "payment", "wallet", {}, enabled=False)
        with pytest.raises(ValidationFailed) as refused:
            await refuse_unaccepted(ctx, "wallet", [], deps.payment_methods)
        assert [e.field for e in refused.value.errors] == ["payment_method"]
