"""The worker's renewal charger uses the tenant's own payment account: a wallet renewal is
debited once per key, and a tenant without the account is refused."""

from datetime import date

import pytest

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
from workers.tasks.schedules import saved_method_charger


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
