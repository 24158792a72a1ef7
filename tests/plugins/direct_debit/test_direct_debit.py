"""Direct debit: mandates, the monthly run, the Zengin request file and results."""

from __future__ import annotations

import itertools
import os
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from core.clock import FrozenClock
from core.context import Actor, Context, TenantRef
from core.contracts.common import PluginAccount
from core.contracts.payments import PaymentAdapter, PaymentRequest, PaymentState
from core.errors import NotFound, ValidationFailed
from core.plugins import Registry, build_plugin_manager
from plugins.direct_debit import service, zengin
from plugins.direct_debit.adapter import DirectDebitAdapter, debit_date_after
from plugins.direct_debit.service import MandateForm

pytestmark = pytest.mark.usefixtures("database")

_ids = itertools.count(4_000_000 + (os.getpid() % 1000) * 1000)
CONFIG = {
    "consignor_code": "1234567890",
    "consignor_name_kana": "ショウメイホスティング",
    "bank_code": "0009",
    "bank_name_kana": "ミツイスミトモ",
    "branch_code": "879",
    "branch_name_kana": "ツバキ",
    "account_type": "2",
    "account_number": "0249302",
}
FORM = MandateForm(
    customer_id=21,
    bank_code="0005",
    branch_code="001",
    account_type="1",
    account_number="1234567",
    holder_kana="ヤマダ　タロウ",
    bank_name_kana="ミツビシユーエフジェイ",
    branch_name_kana="ホンテン",
)


def context(key: str = "k", when: datetime = datetime(2025, 12, 1, 0, tzinfo=UTC)) -> Context:
    tenant_id = next(_ids)
    return Context(
        TenantRef(tenant_id, f"t{tenant_id}"), Actor.system("test"), FrozenClock(when), key
    )


def adapter() -> DirectDebitAdapter:
    return DirectDebitAdapter(PluginAccount(config=CONFIG))


def bill(amount: int = 5500, invoice_id: int = 1, customer_id: int = 21) -> PaymentRequest:
    return PaymentRequest("invoice", invoice_id, amount, customer_id, "monthly plan")


def message_ids(error: ValidationFailed) -> list[str]:
    return [e.message_id for e in error.errors]


def test_registered_and_satisfies_the_contract() -> None:
    registry = Registry(build_plugin_manager(load_entrypoints=False))
    assert registry.payment_adapter("direct_debit") is DirectDebitAdapter
    assert isinstance(adapter(), PaymentAdapter)


def test_debit_date_leaves_the_lead_time() -> None:
    assert debit_date_after(date(2025, 12, 1), 27, 10) == date(2025, 12, 27)
    assert debit_date_after(date(2025, 12, 20), 27, 10) == date(2026, 1, 27)
    assert debit_date_after(date(2026, 1, 25), 27, 10) == date(2026, 2, 27)


def test_kana_is_made_half_width() -> None:
    assert zengin.to_zengin_kana("ヤマダ　タロウ") == "ﾔﾏﾀﾞ ﾀﾛｳ"
    assert zengin.to_zengin_kana("ｶ)ｼｮｳﾒｲ") == "ｶ)ｼﾖｳﾒｲ"
    assert zengin.to_zengin_kana("がっこう \uff21\uff22\uff23\uff11") == "ｶﾞﾂｺｳ ABC1"
    assert zengin.is_zengin_kana("ﾊﾟｿｺﾝ ABC") and not zengin.is_zengin_kana("山田")


async def test_mandate_fields_are_checked() -> None:
    ctx = context()
    bad = replace(FORM, bank_code="05", branch_code="1a", account_type="3", holder_kana="山田")
    with pytest.raises(ValidationFailed) as caught:
        await service.register_mandate(ctx, bad)
    assert message_ids(caught.value) == [
        "direct_debit.bank_code_invalid",
        "direct_debit.branch_code_invalid",
        "direct_debit.account_type_invalid",
        "direct_debit.holder_kana_invalid",
    ]
    mandate_id = await service.register_mandate(ctx, replace(FORM, account_number="12345"))
    stored = await service.mandate(ctx, mandate_id)
    assert (stored["status"], stored["account_number"], stored["holder_kana"]) == (
        "pending",
        "0012345",
        "ﾔﾏﾀﾞ ﾀﾛｳ",
    )


async def test_monthly_collection_from_mandate_to_outcomes() -> None:
    ctx = context("invoice-1:pay")
    debits = adapter()
    with pytest.raises(ValidationFailed) as caught:  # no mandate yet
        await debits.start(ctx, bill())
    assert message_ids(caught.value) == ["direct_debit.mandate_not_active"]
    mandate_id = await service.register_mandate(ctx, FORM)
    with pytest.raises(ValidationFailed):  # pending is not enough
        await debits.start(ctx, bill())
    await service.activate_mandate(ctx, mandate_id, date(2025, 12, 1))
    with pytest.raises(ValidationFailed) as caught:  # activated once only
        await service.activate_mandate(ctx, mandate_id, date(2025, 12, 1))
    assert message_ids(caught.value) == ["direct_debit.mandate_status_invalid"]

    started = await debits.start(ctx, bill())
    assert started.state is PaymentState.PENDING
    assert started.reference == f"dd:{mandate_id}:202512:invoice:1"
    assert started.instructions["debit_date"] == "2025-12-27"
    assert (await debits.start(ctx, bill())).reference == started.reference  # once per month

    other = await service.register_mandate(ctx, replace(FORM, customer_id=22, holder_kana="ｽｽﾞｷ"))
    await service.activate_mandate(ctx, other, date(2025, 11, 1))
    second = await debits.charge_saved(
        ctx, replace(bill(3300, 2, 22), saved_method_ref=f"mandate:{other}")
    )
    assert second.reference == f"dd:{other}:202512:invoice:2"

    data = await debits.export(ctx, date(2025, 12, 27))
    records = data.decode("cp932").split("\r\n")
    assert [r[:1] for r in records] == ["1", "2", "2", "8", "9", ""]
    assert all(len(r.encode("cp932")) == 120 for r in records[:-1])
    assert records[0][1:3] == "91" and records[0][4:14] == "1234567890"
    assert records[0][54:58] == "1227"
    assert "ﾔﾏﾀﾞ ﾀﾛｳ" in records[1] and records[1][80:90] == "0000005500"
    assert records[1][90] == "1"  # first debit of this mandate
    assert records[3][1:7] == "000002" and records[3][7:19] == "000000008800"
    assert await debits.export(ctx, date(2025, 12, 27)) == data  # until results come in

    # the bank's result: the first collected, the second refused for lack of funds
    lines = [
        zengin.DebitLine(
            bank_code=r[1:5],
            bank_name_kana=r[5:20].rstrip(),
            branch_code=r[20:23],
            branch_name_kana=r[23:38].rstrip(),
            account_type=r[42],
            account_number=r[43:50],
            holder_kana=r[50:80].rstrip(),
            amount=int(r[80:90]),
            customer_number=r[91:111].lstrip("0"),
            result_code=code,
        )
        for r, code in zip(records[1:3], ("0", "1"), strict=True)
    ]
    result_file = zengin.request_file(debits.consignor(), date(2025, 12, 27), lines)
    outcomes = await debits.confirm(ctx, {"file": result_file, "recorded_by": "finance"})
    assert [(o.state, o.reference, o.amount) for o in outcomes] == [
        (PaymentState.SUCCEEDED, f"dd:{mandate_id}:202512:invoice:1", 5500),
        (PaymentState.FAILED, f"dd:{other}:202512:invoice:2", 3300),
    ]
    assert (outcomes[0].payable_type, outcomes[0].payable_id) == ("invoice", 1)
    assert await debits.confirm(ctx, {"file": result_file}) == outcomes  # same file: same facts
    with pytest.raises(ValidationFailed) as caught:  # staff cannot contradict the bank
        await debits.confirm(
            ctx, {"results": [{"reference": outcomes[1].reference, "result_code": "0"}]}
        )
    assert message_ids(caught.value) == ["direct_debit.result_already_recorded"]
    assert await debits.export(ctx, date(2025, 12, 27)) == zengin.request_file(
        debits.consignor(), date(2025, 12, 27), []
    )


async def test_two_plans_of_one_customer_are_two_debits_in_the_month() -> None:
    """Each bill joins the month's run once; a second plan's bill is its own debit, not the
    first one's, and each result reaches its own bill."""
    ctx = context("two-plans")
    debits = adapter()
    mandate_id = await service.register_mandate(ctx, FORM)
    await service.activate_mandate(ctx, mandate_id, date(2025, 12, 1))
    first = await debits.start(ctx, bill(5500, 31))
    second = await debits.charge_saved(ctx, bill(2200, 32))
    assert first.reference != second.reference
    assert (await debits.start(ctx, bill(5500, 31))).reference == first.reference  # a retry
    records = (await debits.export(ctx, date(2025, 12, 27))).decode("cp932").split("\r\n")
    assert [r[:1] for r in records] == ["1", "2", "2", "8", "9", ""]
    assert records[3][1:7] == "000002" and records[3][7:19] == "000000007700"
    outcomes = await debits.confirm(
        ctx,
        {
            "results": [
                {"reference": first.reference, "result_code": "0"},
                {"reference": second.reference, "result_code": "1"},
            ]
        },
    )
    assert [(o.payable_id, o.state, o.amount) for o in outcomes] == [
        (31, PaymentState.SUCCEEDED, 5500),
        (32, PaymentState.FAILED, 2200),
    ]


async def test_staff_enter_results_by_hand() -> None:
    ctx = context("invoice-5:pay")
    debits = adapter()
    mandate_id = await service.register_mandate(ctx, FORM)
    await service.activate_mandate(ctx, mandate_id, date(2025, 12, 1))
    started = await debits.start(ctx, bill(1100, 5))
    with pytest.raises(ValidationFailed) as caught:
        await debits.confirm(
            ctx, {"results": [{"reference": started.reference, "result_code": "7"}]}
        )
    assert message_ids(caught.value) == ["direct_debit.result_code_invalid"]
    [failed] = await debits.confirm(
        ctx,
        {"results": [{"reference": started.reference, "result_code": "2"}], "recorded_by": "s1"},
    )
    assert failed.state is PaymentState.FAILED
    stored = await service.active_mandate(ctx, 21, date(2025, 12, 27))
    assert stored is not None and stored["id"] == mandate_id
    assert (await debits.start(ctx, bill(1100, 5))).state is PaymentState.FAILED
    refund = await debits.refund(ctx.with_key("r1"), started.reference, 1100)
    assert refund.state is PaymentState.PENDING


async def test_result_file_checks_and_cancelled_mandates() -> None:
    ctx = context("invoice-6:pay")
    debits = adapter()
    with pytest.raises(ValidationFailed) as caught:
        await debits.confirm(ctx, {"file": b"1" + b" " * 50 + b"\r\n"})
    assert message_ids(caught.value) == ["direct_debit.result_file_invalid"]
    unknown = zengin.request_file(
        debits.consignor(),
        date(2025, 12, 27),
        [zengin.DebitLine("0005", "", "001", "", "1", "1234567", "ﾔﾏﾀﾞ", 100, "999999")],
    )
    with pytest.raises(ValidationFailed) as caught:
        await debits.confirm(ctx, {"file": unknown})
    assert message_ids(caught.value) == ["direct_debit.result_line_unknown"]
    mandate_id = await service.register_mandate(ctx, FORM)
    await service.activate_mandate(ctx, mandate_id, date(2025, 12, 1))
    await service.cancel_mandate(ctx, mandate_id, "customer moved bank")
    charged = await debits.charge_saved(ctx, bill())
    assert charged.state is PaymentState.FAILED


async def test_another_tenant_sees_no_mandate_or_collection() -> None:
    ours, theirs = context("a"), context("a")
    mandate_id = await service.register_mandate(ours, FORM)
    await service.activate_mandate(ours, mandate_id, date(2025, 12, 1))
    started = await adapter().start(ours, bill())
    with pytest.raises(NotFound):
        await service.mandate(theirs, mandate_id)
    with pytest.raises(NotFound):
        await service.activate_mandate(theirs, mandate_id, date(2025, 12, 1))
    assert await service.active_mandate(theirs, 21, date(2025, 12, 27)) is None
    with pytest.raises(NotFound):
        await adapter().start(theirs, replace(bill(), saved_method_ref=str(mandate_id)))
    with pytest.raises(NotFound):
        await adapter().confirm(
            theirs, {"results": [{"reference": started.reference, "result_code": "0"}]}
        )
    assert (await adapter().export(theirs, date(2025, 12, 27))).count(b"\r\n") == 3
