"""The order state machine: the one table of allowed transitions, and the event each announces.

draft → awaiting_payment → paid → fulfilling → fulfilled, with cancelled (before payment),
failed (payment or fulfilment failed) and refunded (money returned after payment). Nothing
else may change an order's state; ``check_transition`` is the only judge.
"""

from __future__ import annotations

from enum import StrEnum

from core.errors import FieldError, ValidationFailed


class OrderState(StrEnum):
    DRAFT = "draft"
    AWAITING_PAYMENT = "awaiting_payment"
    PAID = "paid"
    FULFILLING = "fulfilling"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"
    FAILED = "failed"


S = OrderState
TRANSITIONS: dict[OrderState, frozenset[OrderState]] = {
    S.DRAFT: frozenset({S.AWAITING_PAYMENT, S.CANCELLED}),
    S.AWAITING_PAYMENT: frozenset({S.PAID, S.CANCELLED, S.FAILED}),
    S.PAID: frozenset({S.FULFILLING, S.REFUNDED}),
    S.FULFILLING: frozenset({S.FULFILLED, S.FAILED}),
    S.FULFILLED: frozenset({S.REFUNDED}),
    S.FAILED: frozenset({S.REFUNDED}),
    S.CANCELLED: frozenset(),
    S.REFUNDED: frozenset(),
}
"""Allowed next states. The graph has no cycle, so each state is entered at most once."""


def event_type(state: OrderState) -> str:
    """The outbox event announcing that an order entered ``state`` (order.paid, …)."""
    return f"order.{state.value}"


class IllegalTransition(ValidationFailed):
    """The order cannot go from its state to the one asked for."""

    def __init__(self, current: OrderState, target: OrderState) -> None:
        self.current = current
        self.target = target
        super().__init__(
            [
                FieldError(
                    "state",
                    "orders.state.illegal_transition",
                    {"from": current.value, "to": target.value},
                )
            ]
        )


def check_transition(current: OrderState, target: OrderState) -> None:
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(current, target)
