"""Payment terms (支払い条件) and their due dates: pure functions, no database, no clock.

``NETn`` is the issue date plus *n* days. ``NETnEOM`` is the last day of a later month: NET30EOM
the end of the month after the issue month (請求書発行月の翌月末), NET60EOM the end of the second
month after it and NET90EOM the end of the third. The issue date's own day never matters for
the EOM terms, so an invoice of 2028-01-31 on NET30EOM is due 2028-02-29 (a leap year).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from enum import StrEnum


class PaymentTerm(StrEnum):
    NET30 = "NET30"
    NET45 = "NET45"
    NET50 = "NET50"
    NET60 = "NET60"
    NET30EOM = "NET30EOM"
    NET60EOM = "NET60EOM"
    NET90EOM = "NET90EOM"


_DAYS = {
    PaymentTerm.NET30: 30,
    PaymentTerm.NET45: 45,
    PaymentTerm.NET50: 50,
    PaymentTerm.NET60: 60,
}
_MONTHS_AFTER = {
    PaymentTerm.NET30EOM: 1,
    PaymentTerm.NET60EOM: 2,
    PaymentTerm.NET90EOM: 3,
}

_LABELS = {
    PaymentTerm.NET30: "Net 30",
    PaymentTerm.NET45: "Net 45",
    PaymentTerm.NET50: "Net 50",
    PaymentTerm.NET60: "Net 60",
    PaymentTerm.NET30EOM: "Net 30 EOM",
    PaymentTerm.NET60EOM: "Net 60 EOM",
    PaymentTerm.NET90EOM: "Net 90 EOM",
}


def end_of_month(year: int, month: int) -> date:
    """The last day of ``year``-``month``, 29 February included when the year is a leap year."""
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(first_of: date, months: int) -> tuple[int, int]:
    """(year, month) that lies ``months`` after the month of ``first_of``."""
    index = first_of.year * 12 + (first_of.month - 1) + months
    return index // 12, index % 12 + 1


def due_date(issue_date: date, term: PaymentTerm | str) -> date:
    """The date an invoice issued on ``issue_date`` under ``term`` must be paid by."""
    term = PaymentTerm(term)
    if term in _DAYS:
        return issue_date + timedelta(days=_DAYS[term])
    return end_of_month(*add_months(issue_date, _MONTHS_AFTER[term]))


def term_label(term: PaymentTerm | str) -> str:
    """How the invoice prints the term, as in the seed's samples (``Net 30 EOM``)."""
    return _LABELS[PaymentTerm(term)]
