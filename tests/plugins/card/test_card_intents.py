"""Pure mapping of PaymentIntents to starts and outcomes (no server)."""

from core.contracts.payments import PaymentState
from plugins.card.intents import outcomes_from_intent, start_from_intent

META = {"payable_type": "order", "payable_id": "7"}


def intent(**fields):
    return {"id": "pi_1", "amount": 3_300, "metadata": META, **fields}


def test_redirect_to_url_becomes_the_redirect():
    url = "https://hooks.stripe.com/3d_secure_2/hosted?x=1"
    start = start_from_intent(
        intent(
            status="requires_action",
            client_secret="pi_1_secret_x",
            next_action={"type": "redirect_to_url", "redirect_to_url": {"url": url}},
        )
    )
    assert (start.state, start.redirect_url) == (PaymentState.REQUIRES_ACTION, url)


def test_only_facts_are_outcomes():
    assert outcomes_from_intent(intent(status="requires_action")) == []
    assert outcomes_from_intent(intent(status="processing")) == []
    (done,) = outcomes_from_intent(intent(status="succeeded", amount_received=3_300))
    assert (done.reference, done.payable_id, done.amount) == ("pi_1", 7, 3_300)
    (failed,) = outcomes_from_intent(
        intent(status="requires_payment_method", last_payment_error={"charge": "ch_9"})
    )
    assert (failed.state, failed.reference) == (PaymentState.FAILED, "pi_1:failed:ch_9")
    (cancelled,) = outcomes_from_intent(intent(status="canceled"))
    assert cancelled.reference == "pi_1:canceled"


def test_intents_not_made_by_shomei_give_nothing():
    assert outcomes_from_intent({"id": "pi_2", "status": "succeeded", "metadata": {}}) == []
