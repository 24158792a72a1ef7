"""The renewal rule by payment method: pure dates, checked against the seed's examples."""

from __future__ import annotations

from datetime import date

import pytest

from core import renewal
from core.renewal import (
    METHOD_RULES,
    RenewalSetting,
    can_change_next_term,
    change_deadline,
    charge_date,
    choose_method,
    next_renewal_day,
    reset_payment_method,
)
from plugins.bank_transfer.adapter import BankTransferAdapter
from plugins.card.adapter import CardAdapter
from plugins.direct_debit.adapter import DirectDebitAdapter
from plugins.wallet.adapter import WalletAdapter

ADAPTERS = (CardAdapter, BankTransferAdapter, WalletAdapter, DirectDebitAdapter)


def test_the_table_agrees_with_every_adapters_supports_recurring() -> None:
    assert {a.code for a in ADAPTERS} == set(METHOD_RULES)
    for adapter in ADAPTERS:
        assert renewal.sets_auto_renewal(adapter.code) is adapter.supports_recurring, adapter.code


def test_card_and_wallet_set_automatic_renewal_bank_transfer_does_not() -> None:
    assert renewal.sets_auto_renewal("card") and renewal.sets_auto_renewal("wallet")
    assert not renewal.sets_auto_renewal("bank_transfer")
    with pytest.raises(ValueError):
        renewal.sets_auto_renewal("cash")


def test_card_deadline_is_the_4th_of_the_renewal_month_seed_example() -> None:
    assert change_deadline("card", date(2025, 11, 30)) == date(2025, 11, 4)
    assert can_change_next_term("card", date(2025, 11, 30), date(2025, 11, 4))
    assert not can_change_next_term("card", date(2025, 11, 30), date(2025, 11, 5))
    assert change_deadline("card", date(2026, 2, 28)) == date(2026, 2, 4)
    assert change_deadline("card", date(2025, 12, 31)) == date(2025, 12, 4)
    assert charge_date("card", date(2025, 11, 30)) == date(2025, 11, 5)


@pytest.mark.parametrize(
    ("term_end", "day", "charge", "deadline"),
    [
        (date(2025, 11, 30), 5, date(2025, 11, 5), date(2025, 11, 1)),
        (date(2025, 11, 30), 10, date(2025, 11, 10), date(2025, 11, 6)),
        (date(2025, 11, 30), 15, date(2025, 11, 15), date(2025, 11, 11)),
        (date(2025, 11, 30), 20, date(2025, 11, 20), date(2025, 11, 16)),
        (date(2025, 11, 30), 25, date(2025, 11, 25), date(2025, 11, 21)),
        (date(2026, 2, 28), 25, date(2026, 2, 25), date(2026, 2, 21)),  # February
        (date(2028, 2, 29), 5, date(2028, 2, 5), date(2028, 2, 1)),  # leap February
        (date(2025, 12, 31), 25, date(2025, 12, 25), date(2025, 12, 21)),  # year end
        (date(2026, 3, 3), 5, date(2026, 2, 5), date(2026, 2, 1)),  # a term ending early in a month
        (date(2026, 3, 3), 20, date(2026, 2, 20), date(2026, 2, 16)),
    ],
)
def test_wallet_charge_and_deadline_four_days_before(
    term_end: date, day: int, charge: date, deadline: date
) -> None:
    assert charge_date("wallet", term_end, day) == charge
    assert change_deadline("wallet", term_end, day) == deadline
    assert can_change_next_term("wallet", term_end, deadline, day)
    assert not can_change_next_term(
        "wallet", term_end, date.fromordinal(deadline.toordinal() + 1), day
    )


@pytest.mark.parametrize(
    ("today", "day", "expected"),
    [
        (date(2025, 11, 1), 5, date(2025, 11, 5)),
        (date(2025, 11, 5), 5, date(2025, 11, 5)),  # on the day itself
        (date(2025, 11, 6), 5, date(2025, 12, 5)),
        (date(2025, 12, 26), 25, date(2026, 1, 25)),  # over the year end
        (date(2026, 1, 31), 10, date(2026, 2, 10)),
        (date(2026, 2, 28), 25, date(2026, 3, 25)),
        (date(2024, 2, 29), 20, date(2024, 3, 20)),
    ],
)
def test_next_wallet_charge_date(today: date, day: int, expected: date) -> None:
    assert next_renewal_day(today, day) == expected


def test_wallet_needs_one_of_the_five_days() -> None:
    for bad in (None, 1, 4, 28, 30, 31):
        with pytest.raises(ValueError):
            change_deadline("wallet", date(2025, 11, 30), bad)
        with pytest.raises(ValueError):
            choose_method("wallet", renewal_day=bad)
    with pytest.raises(ValueError):
        next_renewal_day(date(2025, 11, 1), 31)


def test_bank_transfer_has_no_automatic_renewal_to_change() -> None:
    assert charge_date("bank_transfer", date(2025, 11, 30)) is None
    assert change_deadline("bank_transfer", date(2025, 11, 30)) is None
    assert not can_change_next_term("bank_transfer", date(2025, 11, 30), date(2025, 1, 1))


def test_direct_debit_assumed_deadline_is_the_end_of_the_previous_month() -> None:
    assert change_deadline("direct_debit", date(2026, 3, 31)) == date(2026, 2, 28)
    assert charge_date("direct_debit", date(2026, 3, 31)) == date(2026, 3, 1)


def test_choosing_and_resetting_the_payment_method() -> None:
    card = choose_method("card", saved_method_ref="cus_1/pm_1")
    assert card == RenewalSetting("card", True, None, "cus_1/pm_1")
    wallet = choose_method("wallet", renewal_day=15, saved_method_ref="0123456789")
    assert (wallet.auto_renew, wallet.renewal_day) == (True, 15)
    transfer = choose_method("bank_transfer", saved_method_ref="ignored")
    assert transfer == RenewalSetting("bank_transfer", False, None, None)
    for setting in (card, wallet, transfer):
        cleared = reset_payment_method(setting)
        assert cleared == RenewalSetting() and cleared.auto_renew is False
        assert cleared.saved_method_ref is None and cleared.method is None
