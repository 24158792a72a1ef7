"""The card adapter against a real localstripe server (see conftest.py)."""

import httpx
import pytest
import stripe

from core.contracts.payments import PaymentAdapter, PaymentRequest, PaymentState
from plugins.card.adapter import CardAdapter
from plugins.card.client import MissingIdempotencyKey, idempotency_key
from tests.plugins.card.conftest import SECRET_KEY

THREE_D_SECURE_CARD = "4000000000003220"


def request(amount=11_000, method=None, payable_id=1):
    return PaymentRequest(
        "order", payable_id, amount=amount, customer_id=10, saved_method_ref=method
    )


async def card_method(adapter: CardAdapter, number: str) -> str:
    method = await adapter.client.v1.payment_methods.create_async(
        {
            "type": "card",
            "card": {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        }
    )
    return method.id


async def authenticate(base: str, intent_id: str, client_secret: str) -> None:
    """What the payer's browser does on the bank's 3-D Secure page (localstripe's own route)."""
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{base}/v1/payment_intents/{intent_id}/_authenticate",
            data={"client_secret": client_secret, "success": "true"},
            headers={"Authorization": f"Bearer {SECRET_KEY}"},
        )
    assert response.status_code == 200, response.text


def test_adapter_satisfies_the_contract(adapter):
    assert isinstance(adapter, PaymentAdapter)
    assert CardAdapter.code == "card" and CardAdapter.supports_recurring is True


async def test_successful_card_payment(adapter, ctx):
    started = await adapter.start(ctx, request(method="pm_card_visa"))
    assert started.state is PaymentState.SUCCEEDED
    assert started.reference.startswith("pi_")
    (outcome,) = await adapter.confirm(ctx, {"payment_intent": started.reference})
    assert (outcome.state, outcome.reference, outcome.amount) == (
        PaymentState.SUCCEEDED,
        started.reference,
        11_000,
    )
    assert (outcome.payable_type, outcome.payable_id) == ("order", 1)


async def test_start_without_a_method_waits_for_stripe_js(adapter, ctx):
    started = await adapter.start(ctx, request())
    assert started.state is PaymentState.PENDING
    assert started.client_secret and started.client_secret.startswith(started.reference)
    assert await adapter.confirm(ctx, {"payment_intent": started.reference}) == []


async def test_three_d_secure_card_requires_action_then_succeeds(adapter, ctx, localstripe):
    method = await card_method(adapter, THREE_D_SECURE_CARD)
    started = await adapter.start(ctx, request(method=method))
    assert started.state is PaymentState.REQUIRES_ACTION
    assert started.client_secret
    assert await adapter.confirm(ctx, {"payment_intent": started.reference}) == []
    await authenticate(localstripe, started.reference, started.client_secret)
    (outcome,) = await adapter.confirm(ctx, {"payment_intent": started.reference})
    assert outcome.state is PaymentState.SUCCEEDED


async def test_declined_card_fails(adapter, ctx):
    started = await adapter.start(ctx, request(method="pm_card_chargeCustomerFail"))
    assert started.state is PaymentState.FAILED


async def test_partial_then_full_refund(adapter, ctx):
    paid = await adapter.start(ctx, request(method="pm_card_visa"))
    partial = await adapter.refund(ctx.with_key(f"{ctx.idempotency_key}:r1"), paid.reference, 1_000)
    assert (partial.state, partial.amount) == (PaymentState.PARTIAL, 1_000)
    assert partial.reference.startswith("re_")
    rest = await adapter.refund(ctx.with_key(f"{ctx.idempotency_key}:r2"), paid.reference, 10_000)
    assert (rest.state, rest.amount) == (PaymentState.REFUNDED, 10_000)
    event = {"id": "evt_1", "type": "charge.refunded"}
    event["data"] = {"object": {"object": "charge", "payment_intent": paid.reference}}
    outcomes = await adapter.confirm(ctx, {"event": event})
    assert sorted((o.reference, o.amount) for o in outcomes) == sorted(
        [(partial.reference, 1_000), (rest.reference, 10_000)]
    )
    assert {o.state for o in outcomes} == {PaymentState.REFUNDED}


async def test_saved_card_is_charged_off_session(adapter, ctx):
    setup = await adapter.save_card(ctx, customer_id=10, payment_method="pm_card_visa")
    assert setup.state is PaymentState.SUCCEEDED
    assert setup.saved_method_ref and setup.saved_method_ref.startswith("cus_")
    renewal = ctx.with_key(f"{ctx.idempotency_key}:renewal-2027")
    charged = await adapter.charge_saved(renewal, request(5_500, method=setup.saved_method_ref))
    assert charged.state is PaymentState.SUCCEEDED
    (outcome,) = await adapter.confirm(ctx, {"payment_intent": charged.reference})
    assert outcome.amount == 5_500


async def test_saving_a_three_d_secure_card_requires_action(adapter, ctx):
    method = await card_method(adapter, THREE_D_SECURE_CARD)
    setup = await adapter.save_card(ctx, customer_id=10, payment_method=method)
    assert setup.state is PaymentState.REQUIRES_ACTION
    assert setup.saved_method_ref is None


class RecordingClient(stripe.HTTPXClient):
    def __init__(self) -> None:
        super().__init__()
        self.keys: list[str | None] = []

    async def request_async(self, method, url, headers, post_data=None):
        self.keys.append(headers.get("Idempotency-Key"))
        return await super().request_async(method, url, headers, post_data)


async def test_every_write_carries_a_key_derived_from_the_context(adapter, ctx, localstripe):
    recorder = RecordingClient()
    adapter.client = stripe.StripeClient(
        SECRET_KEY, base_addresses={"api": localstripe}, http_client=recorder
    )
    await adapter.save_card(ctx, customer_id=10, payment_method="pm_card_visa")
    assert recorder.keys == [
        idempotency_key(ctx, "customer"),
        idempotency_key(ctx, "setup_intent"),
        idempotency_key(ctx, "setup_intent_confirm"),
    ]
    assert recorder.keys[0] == f"shomei:1:{ctx.idempotency_key}:customer"


def test_idempotency_keys_need_the_context_key_and_stay_short(ctx):
    with pytest.raises(MissingIdempotencyKey):
        idempotency_key(ctx.with_key(""), "payment_intent")
    assert len(idempotency_key(ctx.with_key("x" * 400), "refund:pi_1")) <= 255
