from datetime import date

from core.billing.terms import PaymentTerm, due_date
from core.billing.timing import ContractType, invoice_schedule, is_billing_run_day


def test_pay_as_you_go_bills_each_order_at_once_on_the_agreed_term():
    schedule = invoice_schedule(ContractType.PAY_AS_YOU_GO, date(2026, 11, 22))
    assert schedule.issue_date == date(2026, 11, 22)
    assert schedule.term is None  # the contract's own term (NET30, NET45, ...)


def test_ongoing_bills_last_months_deliveries_on_the_first():
    schedule = invoice_schedule(ContractType.ONGOING, date(2026, 12, 17))
    assert schedule.issue_date == date(2027, 1, 1)
    assert (schedule.period_start, schedule.period_end) == (date(2026, 12, 1), date(2026, 12, 31))
    assert due_date(schedule.issue_date, schedule.term) == date(2027, 2, 28)


def test_monthly_plan_is_billed_on_the_first_and_due_at_the_end_of_next_month():
    schedule = invoice_schedule(ContractType.MONTHLY_PLAN, date(2028, 1, 20))
    assert schedule.issue_date == date(2028, 1, 1)
    assert schedule.term is PaymentTerm.NET30EOM
    assert due_date(schedule.issue_date, schedule.term) == date(2028, 2, 29)


def test_bulk_bills_the_minimum_purchase_on_the_effective_date_for_a_year():
    schedule = invoice_schedule(ContractType.BULK, date(2028, 2, 29))
    assert schedule.issue_date == date(2028, 2, 29)
    assert schedule.period_end == date(2029, 2, 27)
    assert due_date(schedule.issue_date, schedule.term) == date(2028, 3, 31)


def test_only_ongoing_and_monthly_plans_are_billed_by_the_monthly_run():
    first, second = date(2026, 12, 1), date(2026, 12, 2)
    assert is_billing_run_day("ongoing", first) and is_billing_run_day("monthly_plan", first)
    assert not is_billing_run_day("ongoing", second)
    assert not is_billing_run_day("pay_as_you_go", first) and not is_billing_run_day("bulk", first)
