"""Pure translations of Stripe PaymentIntents (as plain dicts) into shomei's payment values.

Only facts become outcomes: a succeeded intent (reference ``pi_…``), a failed attempt
(``pi_…:failed:<charge or error>``, so a later success of the same intent still applies) and a
cancelled intent (``pi_…:canceled``). Waiting states (requires_action, processing) are not
outcomes: the engine would otherwise record the reference before the payment succeeds.
"""

from __future__ import annotations

from typing import Any

from core.contracts.payments import PaymentOutcome, PaymentStart, PaymentState

STATES = {
    "requires_payment_method": PaymentState.PENDING,
    "requires_confirmation": PaymentState.PENDING,
    "requires_action": PaymentState.REQUIRES_ACTION,
    "processing": PaymentState.PENDING,
    "requires_capture": PaymentState.PENDING,
    "succeeded": PaymentState.SUCCEEDED,
    "canceled": PaymentState.CANCELLED,
}


def expandable_id(value: Any) -> str | None:
    """An expandable field: an id string, an expanded object, or nothing."""
    if isinstance(value, dict):
        return value.get("id")
    return value or None


def state_of(intent: dict[str, Any]) -> PaymentState:
    status = intent.get("status", "")
    if status == "requires_payment_method" and intent.get("last_payment_error"):
        return PaymentState.FAILED
    return STATES.get(status, PaymentState.PENDING)


def redirect_url(intent: dict[str, Any]) -> str | None:
    """Where to send the payer for 3-D Secure: Stripe's ``redirect_to_url`` when the intent
    was confirmed with a ``return_url``; None for ``use_stripe_sdk`` (Stripe.js finishes it
    with the client secret)."""
    action = intent.get("next_action") or {}
    if action.get("type") == "redirect_to_url":
        return (action.get("redirect_to_url") or {}).get("url")
    return None


def start_from_intent(intent: dict[str, Any]) -> PaymentStart:
    return PaymentStart(
        state=state_of(intent),
        reference=intent["id"],
        redirect_url=redirect_url(intent),
        client_secret=intent.get("client_secret"),
    )


def payable_of(intent: dict[str, Any]) -> tuple[str, int] | None:
    metadata = intent.get("metadata") or {}
    payable_type, payable_id = metadata.get("payable_type"), metadata.get("payable_id")
    if not payable_type or not str(payable_id or "").isdigit():
        return None
    return str(payable_type), int(payable_id)


def outcomes_from_intent(intent: dict[str, Any]) -> list[PaymentOutcome]:
    """The outcome the intent's current state proves, if any (see the module docstring)."""
    payable = payable_of(intent)
    if payable is None:
        return []
    state = state_of(intent)
    pi = intent["id"]
    if state is PaymentState.SUCCEEDED:
        reference = pi
        amount = int(intent.get("amount_received") or intent.get("amount") or 0)
    elif state is PaymentState.FAILED:
        error = intent.get("last_payment_error") or {}
        attempt = (
            expandable_id(error.get("charge"))
            or expandable_id(intent.get("latest_charge"))
            or error.get("code")
        )
        reference = f"{pi}:failed:{attempt or 'unknown'}"
        amount = int(intent.get("amount") or 0)
    elif state is PaymentState.CANCELLED:
        reference = f"{pi}:canceled"
        amount = int(intent.get("amount") or 0)
    else:
        return []
    return [PaymentOutcome(state, reference, payable[0], payable[1], amount)]


def refund_outcomes(intent: dict[str, Any], refunds: list[dict[str, Any]]) -> list[PaymentOutcome]:
    """One REFUNDED outcome per succeeded refund of the intent, referenced by the refund id."""
    payable = payable_of(intent)
    if payable is None:
        return []
    return [
        PaymentOutcome(
            PaymentState.REFUNDED, refund["id"], payable[0], payable[1], refund["amount"]
        )
        for refund in refunds
        if refund.get("status") == "succeeded"
    ]
