"""When an invoice is issued, by contract type (請求書発行タイミング): a pure policy.

- pay-as-you-go (都度): one invoice per order, issued on the order's date, on the contract's
  own agreed term;
- ongoing (前月分を毎月請求): a delivery is billed on the 1st of the next month, with the rest of
  its month's deliveries, NET30EOM;
- monthly plan (月額プラン): a service month is billed on its 1st, due the end of the next
  month (NET30EOM);
- bulk (最低購入レベル): the minimum purchase is billed on the effective date (発効日) and
  covers one year from it, NET30EOM.

The ongoing and bulk terms come from the seed's contract text: payment by the end of the month
after the month the invoice is issued in (請求書発行日が属する月の翌月末日).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from core.billing.terms import PaymentTerm, add_months, end_of_month


class ContractType(StrEnum):
    PAY_AS_YOU_GO = "pay_as_you_go"
    ONGOING = "ongoing"
    MONTHLY_PLAN = "monthly_plan"
    BULK = "bulk"


@dataclass(frozen=True)
class BillingSchedule:
    """The issue date of the invoice for one billable event, the period it covers, and the
    payment term the contract type fixes (``None``: the contract's own agreed term)."""

    issue_date: date
    period_start: date
    period_end: date
    term: PaymentTerm | None


def invoice_schedule(contract: ContractType | str, event: date) -> BillingSchedule:
    """The invoice a billable ``event`` of a ``contract`` type belongs to."""
    contract = ContractType(contract)
    if contract is ContractType.PAY_AS_YOU_GO:
        return BillingSchedule(event, event, event, None)
    month_start = event.replace(day=1)
    month_end = end_of_month(event.year, event.month)
    if contract is ContractType.ONGOING:
        year, month = add_months(event, 1)
        return BillingSchedule(date(year, month, 1), month_start, month_end, PaymentTerm.NET30EOM)
    if contract is ContractType.MONTHLY_PLAN:
        return BillingSchedule(month_start, month_start, month_end, PaymentTerm.NET30EOM)
    last_day = _anniversary(event) - timedelta(days=1)
    return BillingSchedule(event, event, last_day, PaymentTerm.NET30EOM)


def is_billing_run_day(contract: ContractType | str, today: date) -> bool:
    """Whether the monthly billing run issues this contract type's invoices ``today``.

    Pay-as-you-go and bulk invoices are issued by the event itself, never by the run.
    """
    contract = ContractType(contract)
    return contract in (ContractType.ONGOING, ContractType.MONTHLY_PLAN) and today.day == 1


def bulk_lapse_day(effective: date) -> date:
    """The last day a certificate bought under a bulk contract can be issued: the anniversary
    (応当日) of its effective date (「発効日」の 1 年後の応当日までに発行されない「証明書」は、
    失効する)."""
    return _anniversary(effective)


def _anniversary(effective: date) -> date:
    """The same day one year later (応当日); 29 February falls back to 28 February."""
    try:
        return effective.replace(year=effective.year + 1)
    except ValueError:
        return date(effective.year + 1, 2, 28)
