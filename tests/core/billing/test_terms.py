from datetime import date

import pytest

from core.billing.terms import PaymentTerm, due_date, term_label


@pytest.mark.parametrize(
    ("issued", "term", "due"),
    [
        (date(2026, 11, 22), PaymentTerm.NET30, date(2026, 12, 22)),
        (date(2026, 11, 22), PaymentTerm.NET45, date(2027, 1, 6)),
        (date(2026, 11, 22), PaymentTerm.NET50, date(2027, 1, 11)),
        (date(2026, 11, 22), PaymentTerm.NET60, date(2027, 1, 21)),
        # plain day counts run through February, leap or not
        (date(2027, 1, 31), PaymentTerm.NET30, date(2027, 3, 2)),
        (date(2028, 1, 31), PaymentTerm.NET30, date(2028, 3, 1)),
        (date(2028, 2, 29), PaymentTerm.NET60, date(2028, 4, 29)),
        (date(2026, 12, 31), PaymentTerm.NET45, date(2027, 2, 14)),
    ],
)
def test_net_terms_add_days(issued, term, due):
    assert due_date(issued, term) == due


@pytest.mark.parametrize(
    ("issued", "term", "due"),
    [
        # NET30EOM: end of the month after the issue month, whatever the day of issue
        (date(2020, 7, 8), PaymentTerm.NET30EOM, date(2020, 8, 31)),  # the seed's sample
        (date(2020, 10, 7), PaymentTerm.NET30EOM, date(2020, 11, 30)),  # the seed's VOID sample
        (date(2026, 11, 1), PaymentTerm.NET30EOM, date(2026, 12, 31)),
        (date(2026, 11, 30), PaymentTerm.NET30EOM, date(2026, 12, 31)),
        (date(2026, 12, 15), PaymentTerm.NET30EOM, date(2027, 1, 31)),
        (date(2028, 1, 31), PaymentTerm.NET30EOM, date(2028, 2, 29)),  # leap year
        (date(2027, 1, 31), PaymentTerm.NET30EOM, date(2027, 2, 28)),
        (date(2100, 1, 10), PaymentTerm.NET30EOM, date(2100, 2, 28)),  # century, not leap
        (date(2000, 1, 10), PaymentTerm.NET30EOM, date(2000, 2, 29)),  # 400 years, leap
        # NET60EOM: end of the second month after
        (date(2026, 12, 15), PaymentTerm.NET60EOM, date(2027, 2, 28)),
        (date(2027, 12, 1), PaymentTerm.NET60EOM, date(2028, 2, 29)),
        (date(2026, 6, 30), PaymentTerm.NET60EOM, date(2026, 8, 31)),
        (date(2026, 7, 31), PaymentTerm.NET60EOM, date(2026, 9, 30)),
        # NET90EOM: end of the third month after
        (date(2026, 11, 22), PaymentTerm.NET90EOM, date(2027, 2, 28)),
        (date(2027, 11, 30), PaymentTerm.NET90EOM, date(2028, 2, 29)),
        (date(2026, 10, 31), PaymentTerm.NET90EOM, date(2027, 1, 31)),
        (date(2026, 1, 31), PaymentTerm.NET90EOM, date(2026, 4, 30)),
    ],
)
def test_eom_terms_end_at_a_later_month_end(issued, term, due):
    assert due_date(issued, term) == due


def test_every_term_is_covered_and_accepts_its_text():
    for term in PaymentTerm:
        assert due_date(date(2026, 3, 31), term.value) == due_date(date(2026, 3, 31), term)
    assert due_date(date(2026, 3, 31), "NET30EOM") == date(2026, 4, 30)


def test_an_unknown_term_is_refused():
    with pytest.raises(ValueError):
        due_date(date(2026, 1, 1), "NET15")


def test_terms_print_as_in_the_seed():
    assert term_label(PaymentTerm.NET30) == "Net 30"
    assert term_label("NET30EOM") == "Net 30 EOM"
