"""The card sandbox (``plugins.card.sandbox``): against localstripe it turns test card details
into a PaymentMethod and answers 3-D Secure; the adapter leaves out ``return_url`` there (which
localstripe refuses); with Stripe's own address every sandbox call is refused before any
request, and the web app serves neither the Stripe.js stand-in nor its routes."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from core.contracts.common import PluginAccount
from core.contracts.payments import PaymentState
from core.settings import STRIPE_API_BASE
from plugins.card.adapter import CardAdapter
from plugins.card.sandbox import (
    SandboxCard,
    SandboxOnly,
    SandboxRefused,
    authenticate,
    create_payment_method,
)
from tests.conftest import make_app, make_settings
from tests.plugins.card.conftest import SECRET_KEY
from tests.plugins.card.test_card_payments import THREE_D_SECURE_CARD, request
from tests.tenants.helpers import active_tenant


async def test_a_test_card_pays_through_the_sandbox_with_3d_secure(adapter, ctx):
    assert adapter.sandbox
    plain = await create_payment_method(
        adapter, SandboxCard("4242 4242 4242 4242", "12", "34", "123")
    )
    paid = await adapter.start(ctx, request(method=plain))
    assert paid.state is PaymentState.SUCCEEDED
    secure = await create_payment_method(
        adapter, SandboxCard(THREE_D_SECURE_CARD, "12", "2034", "123")
    )
    started = await adapter.start(
        ctx.with_key(f"{ctx.idempotency_key}:3ds"), request(method=secure)
    )
    assert started.state is PaymentState.REQUIRES_ACTION  # no return_url was sent
    assert await authenticate(adapter, started.client_secret, True) == started.reference
    (outcome,) = await adapter.confirm(ctx, {"payment_intent": started.reference})
    assert outcome.state is PaymentState.SUCCEEDED


async def test_the_sandbox_refuses_bad_details(adapter):
    with pytest.raises(SandboxRefused):
        await create_payment_method(adapter, SandboxCard("4242", "", "", ""))
    with pytest.raises(SandboxRefused):
        await authenticate(adapter, "not-a-secret", True)


async def test_with_stripes_address_the_sandbox_calls_are_refused():
    real = CardAdapter(PluginAccount(credentials={"secret_key": SECRET_KEY}), STRIPE_API_BASE)
    assert not real.sandbox
    with pytest.raises(SandboxOnly):
        await create_payment_method(real, SandboxCard("4242424242424242", "12", "34", "123"))
    with pytest.raises(SandboxOnly):
        await authenticate(real, "pi_1_secret_2", True)


@pytest.mark.parametrize("api_base", ["", "http://127.0.0.1:9"])
async def test_the_stand_in_is_served_only_in_sandbox_mode(tmp_path, database, api_base):
    extra = {"stripe_api_base": api_base} if api_base else {}
    settings = make_settings(tmp_path / "var", database, **extra)
    assert settings.stripe_sandbox is bool(api_base)
    result, _ = await active_tenant()
    host = {"Host": f"{result.tenant.slug}.localhost:8000"}  # the shop's host
    async with AsyncTestClient(make_app(settings)) as client:
        script = await client.get("/payments/card/sandbox/stripe.js", headers=host)
        posted = await client.post("/payments/card/sandbox/payment-methods", json={}, headers=host)
    if api_base:
        assert script.status_code == 200 and "window.Stripe" in script.text
        assert posted.status_code in (401, 403)  # a signed-in customer (and CSRF) only
    else:
        assert (script.status_code, posted.status_code) in ((404, 404), (404, 403))
