"""Automatic renewal by payment method: who sets it, when it charges, until when one may change.

One table (``METHOD_RULES``) says, per payment adapter code, whether paying with it sets
automatic renewal and which change-deadline rule applies. Everything here is a pure function
of dates (``datetime.date``): no clock, no database. Callers pass the tenant-local date.

From the hosting-panel seed (DOMAIN.md, Provider 4):

- card and wallet set automatic renewal; bank transfer does not (manual renewal);
- card: the next term can be changed until the 4th of the month the term ends
  (ends 2025-11-30 -> change by 2025-11-04); the charge runs after that (assumed: the 5th);
- wallet: the customer picks a renewal day (5, 10, 15, 20 or 25); the charge runs on it and a
  change must be done 4 days before it (inclusive);
- resetting the payment method clears automatic renewal and the saved method.

Direct debit (monthly plans) is collected every month; the seed gives no change deadline, so
we assume the last day of the month before the renewal month (monthly invoices are issued on
the 1st).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType


class DeadlineRule(StrEnum):
    NONE = "none"
    """No automatic renewal, so nothing to change before it (bank transfer)."""
    FOURTH_OF_RENEWAL_MONTH = "fourth_of_renewal_month"
    """Until the end of the 4th of the month the term ends (card)."""
    DAYS_BEFORE_RENEWAL_DAY = "days_before_renewal_day"
    """Until the end of the chosen renewal day minus ``WALLET_CHANGE_DAYS`` (wallet)."""
    END_OF_PREVIOUS_MONTH = "end_of_previous_month"
    """Until the last day of the month before the term's last month (direct debit; assumed)."""


@dataclass(frozen=True)
class MethodRule:
    sets_auto_renewal: bool
    deadline: DeadlineRule
    needs_renewal_day: bool = False


METHOD_RULES: Mapping[str, MethodRule] = MappingProxyType(
    {
        "card": MethodRule(True, DeadlineRule.FOURTH_OF_RENEWAL_MONTH),
        "wallet": MethodRule(True, DeadlineRule.DAYS_BEFORE_RENEWAL_DAY, needs_renewal_day=True),
        "bank_transfer": MethodRule(False, DeadlineRule.NONE),
        "direct_debit": MethodRule(True, DeadlineRule.END_OF_PREVIOUS_MONTH),
    }
)
"""Payment adapter code -> its renewal rule. Each adapter's ``supports_recurring`` must equal
``sets_auto_renewal`` here (a test checks)."""

WALLET_RENEWAL_DAYS: tuple[int, ...] = (5, 10, 15, 20, 25)
WALLET_CHANGE_DAYS = 4
CARD_CHANGE_DAY = 4
CARD_CHARGE_DAY = 5  # assumption: the seed fixes only the change deadline


def rule_for(method: str) -> MethodRule:
    try:
        return METHOD_RULES[method]
    except KeyError:
        raise ValueError(f"unknown payment method {method!r}") from None


def sets_auto_renewal(method: str) -> bool:
    return rule_for(method).sets_auto_renewal


def is_valid_renewal_day(day: int | None) -> bool:
    return day in WALLET_RENEWAL_DAYS


def _require_day(method: str, renewal_day: int | None) -> int:
    if not is_valid_renewal_day(renewal_day):
        raise ValueError(
            f"{method} needs a renewal day of {WALLET_RENEWAL_DAYS}, not {renewal_day}"
        )
    return renewal_day  # type: ignore[return-value]


def next_renewal_day(on_or_after: date, renewal_day: int) -> date:
    """The first date on or after ``on_or_after`` whose day of month is ``renewal_day``."""
    _require_day("wallet", renewal_day)
    if on_or_after.day <= renewal_day:
        return on_or_after.replace(day=renewal_day)
    if on_or_after.month == 12:
        return date(on_or_after.year + 1, 1, renewal_day)
    return date(on_or_after.year, on_or_after.month + 1, renewal_day)


def _previous_renewal_day(on_or_before: date, renewal_day: int) -> date:
    if on_or_before.day >= renewal_day:
        return on_or_before.replace(day=renewal_day)
    first = on_or_before.replace(day=1) - timedelta(days=1)
    return first.replace(day=renewal_day)


def charge_date(method: str, term_end: date, renewal_day: int | None = None) -> date | None:
    """When automatic renewal charges for the term after the one ending ``term_end``.

    Wallet: the last chosen renewal day on or before ``term_end`` (terms end at month ends, so
    it is that month's day). Card: the 5th of the month the term ends (assumed). Direct debit:
    the 1st of that month, when the monthly invoice is issued. Bank transfer: None.
    """
    rule = rule_for(method)
    if not rule.sets_auto_renewal:
        return None
    if rule.needs_renewal_day:
        return _previous_renewal_day(term_end, _require_day(method, renewal_day))
    if rule.deadline is DeadlineRule.FOURTH_OF_RENEWAL_MONTH:
        return term_end.replace(day=CARD_CHARGE_DAY)
    return term_end.replace(day=1)


def change_deadline(method: str, term_end: date, renewal_day: int | None = None) -> date | None:
    """The last day (inclusive, tenant-local) on which the next term may still be changed.

    None when the method does not renew automatically (the customer renews by hand).
    """
    rule = rule_for(method)
    if rule.deadline is DeadlineRule.NONE:
        return None
    if rule.deadline is DeadlineRule.FOURTH_OF_RENEWAL_MONTH:
        return term_end.replace(day=CARD_CHANGE_DAY)
    if rule.deadline is DeadlineRule.DAYS_BEFORE_RENEWAL_DAY:
        charge = _previous_renewal_day(term_end, _require_day(method, renewal_day))
        return charge - timedelta(days=WALLET_CHANGE_DAYS)
    return term_end.replace(day=1) - timedelta(days=1)


def can_change_next_term(
    method: str, term_end: date, today: date, renewal_day: int | None = None
) -> bool:
    """True while ``today`` is on or before the change deadline (False without one)."""
    deadline = change_deadline(method, term_end, renewal_day)
    return deadline is not None and today <= deadline


@dataclass(frozen=True)
class RenewalSetting:
    """A term's renewal setting: the chosen method, whether it renews automatically, the
    wallet's renewal day and the saved method (card ``cus_…/pm_…``, wallet ID, mandate)."""

    method: str | None = None
    auto_renew: bool = False
    renewal_day: int | None = None
    saved_method_ref: str | None = None


def choose_method(
    method: str, renewal_day: int | None = None, saved_method_ref: str | None = None
) -> RenewalSetting:
    """The setting after paying with ``method``: automatic renewal as the table says."""
    rule = rule_for(method)
    day = _require_day(method, renewal_day) if rule.needs_renewal_day else None
    return RenewalSetting(
        method=method,
        auto_renew=rule.sets_auto_renewal,
        renewal_day=day,
        saved_method_ref=saved_method_ref if rule.sets_auto_renewal else None,
    )


def reset_payment_method(setting: RenewalSetting) -> RenewalSetting:
    """支払い方法をリセットする: automatic renewal and the saved method are cleared; the
    customer chooses again (``choose_method``)."""
    return RenewalSetting()


RENEWAL_KEY_PREFIX = "renew"


def renewal_order_key(entitlement_id: int, term_end: date) -> str:
    """The idempotency key of the renewal order of the term of ``entitlement_id`` ending
    ``term_end``: ``renew:{entitlement}:{term_end:%Y%m%d}``. Each charge attempt appends
    ``:{n}``; the order engine stores this key on the order, so a retry finds the same order."""
    return f"{RENEWAL_KEY_PREFIX}:{entitlement_id}:{term_end:%Y%m%d}"


def renewed_entitlement_id(order_key: str | None) -> int | None:
    """The entitlement an order renews, read back from its ``renewal_order_key`` (None when the
    key is not one). Callers check the entitlement belongs to the order's customer."""
    parts = (order_key or "").split(":")
    if len(parts) != 3 or parts[0] != RENEWAL_KEY_PREFIX:
        return None
    if not parts[1].isdigit() or len(parts[2]) != 8 or not parts[2].isdigit():
        return None
    return int(parts[1])
