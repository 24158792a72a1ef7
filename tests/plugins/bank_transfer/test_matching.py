from datetime import date

from core.contracts.payments import PaymentState
from plugins.bank_transfer.matching import (
    OpenPayment,
    assign_manually,
    leading_references,
    match_transfers,
)
from plugins.bank_transfer.zengin import parse_zengin
from tests.plugins.bank_transfer.builder import Transfer, end_record, notice_file, notice_group

TODAY = date(2026, 4, 20)
ORDER_1 = OpenPayment("order", 1, customer_id=10, amount_due=11_000, payer_reference="A1B2C3")
ORDER_2 = OpenPayment("order", 2, customer_id=10, amount_due=5_500, payer_reference="D4E5F6")
ORDER_3 = OpenPayment("order", 3, customer_id=20, amount_due=3_300, payer_reference="G7H8J9")
OPEN = [ORDER_1, ORDER_2, ORDER_3]


def lines(*transfers):
    return parse_zengin(notice_file(list(transfers)), TODAY).incoming()


def test_exact_match():
    result = match_transfers(lines(Transfer(11_000, "A1B2C3 ﾔﾏﾀﾞ ﾀﾛｳ")), OPEN)
    (allocation,) = result.allocations
    assert (allocation.payable_id, allocation.kind, allocation.rule) == (1, "exact", "reference")
    (outcome,) = result.outcomes()
    assert outcome.state is PaymentState.SUCCEEDED
    assert outcome.amount == 11_000
    assert outcome.reference.startswith("zengin:")
    assert not result.unmatched


def test_partial_payment_leaves_the_remaining_due():
    result = match_transfers(lines(Transfer(6_000, "A1B2C3ﾔﾏﾀﾞ ﾀﾛｳ")), OPEN)  # glued to the name
    (allocation,) = result.allocations
    assert allocation.kind == "partial"
    assert allocation.remaining_due == 5_000
    assert result.outcomes()[0].state is PaymentState.PARTIAL


def test_two_partial_transfers_add_up():
    result = match_transfers(
        lines(Transfer(6_000, "A1B2C3 ﾔﾏﾀﾞ"), Transfer(5_000, "A1B2C3 ﾔﾏﾀﾞ", inquiry=2)), OPEN
    )
    assert [a.remaining_due for a in result.allocations] == [5_000, 0]
    assert [o.state for o in result.outcomes()] == [PaymentState.PARTIAL, PaymentState.SUCCEEDED]


def test_over_payment_records_the_surplus():
    result = match_transfers(lines(Transfer(12_000, "A1B2C3 ﾔﾏﾀﾞ")), OPEN)
    (allocation,) = result.allocations
    assert allocation.kind == "overpaid"
    assert (allocation.amount, allocation.surplus, allocation.remaining_due) == (12_000, 1_000, 0)
    assert result.outcomes()[0].state is PaymentState.SUCCEEDED


def test_one_transfer_names_two_orders():
    result = match_transfers(lines(Transfer(16_500, "A1B2C3 D4E5F6 ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ")), OPEN)
    assert [(a.payable_id, a.amount, a.kind) for a in result.allocations] == [
        (1, 11_000, "exact"),
        (2, 5_500, "exact"),
    ]
    assert {a.rule for a in result.allocations} == {"reference_list"}
    references = [o.reference for o in result.outcomes()]
    assert len(set(references)) == 2


def test_one_reference_and_the_exact_sum_of_the_customers_orders_pays_them_all():
    result = match_transfers(lines(Transfer(16_500, "D4E5F6 ﾔﾏﾀﾞ")), OPEN)
    assert [(a.payable_id, a.amount) for a in result.allocations] == [(2, 5_500), (1, 11_000)]
    assert {a.rule for a in result.allocations} == {"customer_sum"}


def test_a_list_short_of_the_total_pays_in_the_order_written():
    result = match_transfers(lines(Transfer(12_000, "D4E5F6,A1B2C3 ﾔﾏﾀﾞ")), OPEN)
    assert [(a.payable_id, a.amount, a.remaining_due) for a in result.allocations] == [
        (2, 5_500, 0),
        (1, 6_500, 4_500),
    ]


def test_unknown_payer_goes_to_the_unmatched_queue():
    result = match_transfers(lines(Transfer(11_000, "ﾔﾏﾀﾞ ﾀﾛｳ")), OPEN)
    assert not result.allocations
    (item,) = result.unmatched
    assert item.reason == "unknown_payer"
    assert item.line.amount == 11_000


def test_a_reference_of_no_open_order_is_unknown():
    result = match_transfers(lines(Transfer(11_000, "ZZZZZZ ﾔﾏﾀﾞ")), OPEN)
    assert [item.reason for item in result.unmatched] == ["unknown_payer"]


def test_virtual_account_matches_without_a_reference():
    records = [*notice_group([Transfer(3_300, "ｽｽﾞｷ")], account_number="9000003"), end_record()]
    incoming = parse_zengin(b"".join(records), TODAY).incoming()
    virtual = OpenPayment("invoice", 7, customer_id=30, amount_due=3_300, virtual_account="9000003")
    result = match_transfers(incoming, [*OPEN, virtual])
    (allocation,) = result.allocations
    assert (allocation.payable_type, allocation.rule, allocation.kind) == (
        "invoice",
        "virtual_account",
        "exact",
    )


def test_manual_assignment_of_an_unmatched_line():
    (line,) = lines(Transfer(3_300, "ｽｽﾞｷ ｲﾁﾛｳ"))
    allocation = assign_manually(line, ORDER_3)
    assert (allocation.rule, allocation.kind) == ("manual", "exact")
    assert allocation.outcome().reference == f"{line.reference}:order:3"


def test_leading_references_stop_at_the_name():
    known = ["A1B2C3", "D4E5F6"]
    assert leading_references("A1B2C3 D4E5F6 ﾀﾅｶ", known) == ["A1B2C3", "D4E5F6"]
    assert leading_references("ﾀﾅｶ A1B2C3", known) == []
    assert leading_references("a1b2c3-ﾀﾅｶ", known) == ["A1B2C3"]
