from datetime import UTC, date, datetime

import pytest

from core.clock import FrozenClock
from core.context import Actor, Context, TenantRef
from core.contracts.common import PluginAccount
from core.contracts.payments import PaymentAdapter, PaymentRequest, PaymentState
from core.errors import ValidationFailed
from plugins.bank_transfer.adapter import BankTransferAdapter, RecurringNotSupported
from plugins.bank_transfer.instructions import AccountType, TransferInstructions
from plugins.bank_transfer.matching import OpenPayment
from tests.plugins.bank_transfer.builder import Transfer, notice_file

CONFIG = {
    "bank_code": "0001",
    "bank_name": "みずほ銀行",
    "branch_code": "123",
    "branch_name": "東京営業部",
    "account_type": "1",
    "account_number": "1234567",
    "holder_kana": "ｼﾖｳﾒｲ(ｶ",
    "due_days": 7,
}


def make_context() -> Context:
    clock = FrozenClock(datetime(2026, 4, 14, 16, 0, tzinfo=UTC))  # 2026-04-15 01:00 JST
    return Context(TenantRef(1, "acme"), Actor.system(), clock, idempotency_key="order-1")


def adapter() -> BankTransferAdapter:
    return BankTransferAdapter(PluginAccount(config=CONFIG, secret_key="k" * 32))


def test_adapter_satisfies_the_contract():
    assert isinstance(adapter(), PaymentAdapter)
    assert BankTransferAdapter.supports_recurring is False


async def test_start_gives_instructions_with_a_stable_reference():
    request = PaymentRequest("order", 1, amount=11_000, customer_id=10)
    first = await adapter().start(make_context(), request)
    again = await adapter().start(make_context(), request)
    assert first.state is PaymentState.PENDING
    assert first.reference == again.reference
    assert first.instructions["payer_reference"] == first.reference
    assert first.instructions["due_date"] == "2026-04-22"  # JST today + 7 days
    assert first.instructions["account_type_ja"] == "普通"
    assert first.instructions["amount"] == 11_000
    other = await adapter().start(make_context(), PaymentRequest("order", 2, 11_000, 10))
    assert other.reference != first.reference


async def test_confirm_parses_the_file_and_matches():
    request = PaymentRequest("order", 1, amount=11_000, customer_id=10)
    reference = (await adapter().start(make_context(), request)).reference
    data = notice_file([Transfer(11_000, f"{reference} ﾔﾏﾀﾞ"), Transfer(500, "ﾀﾞﾚｶ", inquiry=2)])
    expectation = OpenPayment("order", 1, 10, 11_000, payer_reference=reference)
    outcomes = await adapter().confirm(
        make_context(), {"file": data, "open_payments": [expectation]}
    )
    assert [(o.payable_id, o.state, o.amount) for o in outcomes] == [
        (1, PaymentState.SUCCEEDED, 11_000)
    ]


async def test_refund_is_a_manual_transfer_and_saved_charges_are_refused():
    refund = await adapter().refund(make_context(), "zengin:abc", 1_000)
    assert refund.state is PaymentState.PENDING
    with pytest.raises(RecurringNotSupported):
        await adapter().charge_saved(make_context(), PaymentRequest("order", 1, 1, 1))


def test_instructions_refuse_bad_values_naming_the_fields():
    with pytest.raises(ValidationFailed) as caught:
        TransferInstructions(
            bank_code="1",
            bank_name="x",
            branch_code="123",
            branch_name="y",
            account_type=AccountType.CURRENT,
            account_number="12",
            holder_kana="ショウメイ",  # full-width: not a Zengin name
            amount=0,
            due_date=date(2026, 4, 22),
            payer_reference="A1B2C3",
        )
    assert {e.field for e in caught.value.errors} == {
        "bank_code",
        "account_number",
        "holder_kana",
        "amount",
    }


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        (
            "\u30b7\u30e7\u30a6\u30e1\u30a4\u30db\u30b9\u30c6\u30a3\u30f3\u30b0(\u30ab",
            "ｼﾖｳﾒｲﾎｽﾃｲﾝｸﾞ(ｶ",
        ),
        ("ｼﾖｳﾒｲ(ｶ", "ｼﾖｳﾒｲ(ｶ"),
        ("\u30c7\u30b8\u30b5\u30fc\u30c8\u3000\uff2a\uff30", "ﾃﾞｼﾞｻｰﾄ JP"),
    ],
)
async def test_a_holder_typed_in_full_width_kana_is_written_as_zengin_half_width(typed, written):
    """The console's account form takes the holder as people type it (全角カナ); the transfer
    instructions write it as Zengin does, instead of failing the customer's payment page."""
    account = PluginAccount(config={**CONFIG, "holder_kana": typed}, secret_key="k" * 32)
    started = await BankTransferAdapter(account).start(
        make_context(), PaymentRequest("order", 1, amount=11_000, customer_id=10)
    )
    assert started.instructions["holder_kana"] == written
