"""Everything local is checked before an upstream is called; a local refusal after the
upstream order exists cancels it there (issue 14, "Check everything local before calling an
upstream"), against the sandbox upstream over HTTP, on both databases."""

from __future__ import annotations

from dataclasses import asdict, replace

import pytest

from core.context import Actor, ActorKind, Context, tenant_scope
from core.errors import ValidationFailed
from plugins.digicert.contracts import get_contract, set_contract
from plugins.digicert.errors import RetriesExhausted
from plugins.digicert.tables import DcContract, DcVoucherCode, DcVoucherOrder
from plugins.digicert.vouchers import VoucherLineIn, VoucherOrderIn, place_voucher_order
from tests.plugins.digicert.helpers import refusal
from tests.plugins.digicert.shop import BANK, ISSUER

TWO = VoucherOrderIn("bank_transfer", (VoucherLineIn("ssl_basic", quantity=2),))


def operator(shop) -> Context:
    return Context(shop.tenant, Actor(ActorKind.OPERATOR, "op-1", "Operator"), shop.ctx.clock)


async def set_issuer_in_db(shop, registration_number: str) -> None:
    """A contract stored before the contract checked its issuer (data older than the rule)."""
    issuer = asdict(replace(ISSUER, registration_number=registration_number))
    await (
        DcContract.update({DcContract.issuer: issuer})
        .where(DcContract.tenant_id == shop.tenant.id)
        .run()
    )


async def test_contract_refuses_an_invalid_registration_number_and_an_empty_bank(shop):
    with tenant_scope(shop.tenant):
        account_id = (await get_contract(shop.ctx)).provider_account_id
        bad = replace(ISSUER, registration_number="T7000012050003")  # wrong check digit
        with pytest.raises(ValidationFailed) as refused:
            await set_contract(operator(shop), account_id, "pay_as_you_go", bad, BANK)
        texts = refusal(
            refused.value, "issuer.registration_number",
            "billing.issuer.registration_number_invalid",
        )  # fmt: skip
        assert "登録番号" in texts["ja"]
        with pytest.raises(ValidationFailed) as refused:
            await set_contract(
                operator(shop), account_id, "pay_as_you_go", ISSUER,
                replace(BANK, account_number=" "),
            )  # fmt: skip
        refusal(refused.value, "bank_account.account_number", "digicert.contract.bank_required")
        # written the way a person types it: full width, hyphens, lower-case t
        typed = replace(ISSUER, registration_number="ｔ７０００-０１２０-５０００２")  # noqa: RUF001
        saved = await set_contract(operator(shop), account_id, "pay_as_you_go", typed, BANK)
    assert saved.issuer.registration_number == "T7000012050002"


async def test_an_order_the_invoice_would_refuse_never_reaches_upstream(shop, client):
    await set_issuer_in_db(shop, "T1234567890123")
    with tenant_scope(shop.tenant), pytest.raises(ValidationFailed) as refused:
        await place_voucher_order(shop.ctx.with_key("refused-1"), client, TWO)
    refusal(
        refused.value, "issuer.registration_number", "billing.issuer.registration_number_invalid"
    )
    assert await client.list_voucher_orders() == []
    assert await DcVoucherOrder.count().where(DcVoucherOrder.tenant_id == shop.tenant.id) == 0


async def test_a_pending_order_resumes_once_upstream(shop, client, upstream):
    upstream.sandbox.faults.inject("error", 10, method="GET", path_contains="/voucher/")
    with tenant_scope(shop.tenant):
        with pytest.raises(RetriesExhausted):
            await place_voucher_order(shop.ctx.with_key("resume-1"), client, TWO)
        [pending] = await DcVoucherOrder.select().where(DcVoucherOrder.tenant_id == shop.tenant.id)
        assert pending["status"] == "pending"
        upstream.sandbox.faults.clear()
        order = await place_voucher_order(shop.ctx.with_key("resume-1"), client, TWO)
    assert order.status == "completed" and len(order.codes) == 2
    assert order.invoice_id is not None
    assert len(await client.list_voucher_orders()) == 1  # resumed, not ordered twice


async def test_a_refusal_after_the_upstream_order_cancels_it_there(shop, client, upstream):
    upstream.sandbox.faults.inject("error", 10, method="GET", path_contains="/voucher/")
    with tenant_scope(shop.tenant):
        with pytest.raises(RetriesExhausted):
            await place_voucher_order(shop.ctx.with_key("undo-1"), client, TWO)
        upstream.sandbox.faults.clear()
        await set_issuer_in_db(shop, "T1234567890123")  # changed while the order was pending
        with pytest.raises(ValidationFailed) as refused:
            await place_voucher_order(shop.ctx.with_key("undo-1"), client, TWO)
        refusal(
            refused.value, "issuer.registration_number",
            "billing.issuer.registration_number_invalid",
        )  # fmt: skip
        [row] = await DcVoucherOrder.select().where(DcVoucherOrder.tenant_id == shop.tenant.id)
        codes = await DcVoucherCode.select(DcVoucherCode.status).where(
            DcVoucherCode.voucher_order_id == row["id"]
        )
    assert row["status"] == "failed" and row["invoice_id"] is None
    assert {c["status"] for c in codes} == {"cancelled"} and len(codes) == 2
    [upstream_order] = await client.list_voucher_orders()
    assert (await client.get_voucher_order(upstream_order.id)).status == "cancelled"
