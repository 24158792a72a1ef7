"""Bank transfer for orders: instructions stored once, Zengin files imported once, matched lines
applied through the ledger, the rest queued for finance staff."""

import pytest

from core.errors import NotFound, ValidationFailed
from core.orders.states import OrderState
from core.orders.views import get_order
from core.payments.ledger import order_payment
from core.payments.transfers import (
    import_zengin,
    issue_transfer_instructions,
    list_unmatched,
    resolve_unmatched,
)
from core.tables import OutboxEvent
from tests.core.catalog.helpers import make_ctx
from tests.core.payments.helpers import BANK_ACCOUNT, new_order
from tests.plugins.bank_transfer.builder import Transfer, notice_file


async def instructed(ctx, base: int = 10_000, customer_id: int = 7):
    order = await new_order(ctx, base=base, customer_id=customer_id, awaiting=False)
    expectation = await issue_transfer_instructions(ctx, order.id, BANK_ACCOUNT)
    return order, expectation.payer_reference


async def test_instructions_are_stored_once_and_move_the_draft_to_awaiting_payment(database):
    ctx = make_ctx()
    order = await new_order(ctx, awaiting=False)
    first = await issue_transfer_instructions(ctx, order.id, BANK_ACCOUNT)
    assert first.amount == order.total and len(first.payer_reference) == 6
    assert first.instructions["due_date"] == first.due_date.isoformat()
    assert (await get_order(ctx, order.id)).state is OrderState.AWAITING_PAYMENT
    again = await issue_transfer_instructions(ctx, order.id, BANK_ACCOUNT)
    assert again == first
    issued = await OutboxEvent.count().where(
        (OutboxEvent.tenant_id == ctx.tenant.id)
        & (OutboxEvent.event_type == "payment.instructions_issued")
    )
    assert issued == 1


async def test_instructions_only_for_bank_transfer_orders(database):
    ctx = make_ctx()
    order = await new_order(ctx, payment_method="card")
    with pytest.raises(ValidationFailed) as refused:
        await issue_transfer_instructions(ctx, order.id, BANK_ACCOUNT)
    assert refused.value.errors[0].message_id == "payments.instructions.not_bank_transfer"


async def test_an_exact_transfer_pays_the_order(database):
    ctx = make_ctx()
    order, ref = await instructed(ctx)
    result = await import_zengin(ctx, notice_file([Transfer(order.total, f"{ref} ﾔﾏﾀﾞ ﾀﾛｳ")]))
    assert result.changed and result.matched == 1 and result.unmatched == 0
    assert (await get_order(ctx, order.id)).state is OrderState.PAID


async def test_a_partial_transfer_then_the_rest(database):
    ctx = make_ctx()
    order, ref = await instructed(ctx)
    await import_zengin(ctx, notice_file([Transfer(5_000, f"{ref} ﾔﾏﾀﾞ", inquiry=1)]))
    position = await order_payment(ctx, order.id)
    assert position.order_state is OrderState.AWAITING_PAYMENT
    assert position.remaining_due == order.total - 5_000
    rest = Transfer(order.total - 5_000, f"{ref} ﾔﾏﾀﾞ", inquiry=2)
    await import_zengin(ctx, notice_file([rest]))
    assert (await get_order(ctx, order.id)).state is OrderState.PAID


async def test_an_over_payment_records_the_surplus(database):
    ctx = make_ctx()
    order, ref = await instructed(ctx)
    result = await import_zengin(ctx, notice_file([Transfer(order.total + 1_000, ref)]))
    (payment,) = result.payments
    assert payment.effect == "overpaid" and payment.surplus == 1_000
    assert (await get_order(ctx, order.id)).state is OrderState.PAID


async def test_one_transfer_naming_two_orders_pays_both(database):
    ctx = make_ctx()
    first, ref1 = await instructed(ctx, base=10_000)
    second, ref2 = await instructed(ctx, base=20_000)
    line = Transfer(first.total + second.total, f"{ref1} {ref2} ｶ)ﾔﾏﾀﾞ")
    result = await import_zengin(ctx, notice_file([line]))
    assert result.matched == 1 and len(result.payments) == 2
    for order in (first, second):
        assert (await get_order(ctx, order.id)).state is OrderState.PAID


async def test_an_unknown_payer_waits_for_finance_who_resolve_it_once(database):
    ctx = make_ctx()
    order, _ = await instructed(ctx)
    result = await import_zengin(ctx, notice_file([Transfer(order.total, "ﾀﾞﾚｶ ｻﾝ")]))
    assert result.matched == 0 and result.unmatched == 1
    (line,) = await list_unmatched(ctx)
    assert line.payer_name == "ﾀﾞﾚｶ ｻﾝ" and line.reason == "unknown_payer"
    applied = await resolve_unmatched(ctx, line.id, order.id)
    assert applied.applied and applied.effect == "paid"
    assert (await get_order(ctx, order.id)).state is OrderState.PAID
    assert await list_unmatched(ctx) == []
    with pytest.raises(ValidationFailed) as refused:
        await resolve_unmatched(ctx, line.id, order.id)
    assert refused.value.errors[0].message_id == "payments.bank_line.already_resolved"


async def test_another_tenant_cannot_resolve_the_line(database):
    ctx, other = make_ctx(), make_ctx()
    order, _ = await instructed(ctx)
    await import_zengin(ctx, notice_file([Transfer(order.total, "ﾀﾞﾚｶ")]))
    (line,) = await list_unmatched(ctx)
    other_order = await new_order(other)
    with pytest.raises(NotFound):
        await resolve_unmatched(other, line.id, other_order.id)
    assert await list_unmatched(other) == []
    assert len(await list_unmatched(ctx)) == 1


async def test_a_broken_trailer_refuses_the_whole_file(database):
    ctx = make_ctx()
    order, ref = await instructed(ctx)
    broken = notice_file([Transfer(order.total, ref)], total=order.total + 1)
    with pytest.raises(ValidationFailed) as refused:
        await import_zengin(ctx, broken)
    (error,) = refused.value.errors
    assert error.message_id == "payments.bank_file.refused"
    assert error.params["check"] == "trailer.total"
    assert str(order.total + 1) in str(error.params["problem"])
    assert (await get_order(ctx, order.id)).state is OrderState.AWAITING_PAYMENT


async def test_the_same_file_twice_changes_nothing_and_says_so(database):
    ctx = make_ctx()
    order, ref = await instructed(ctx)
    data = notice_file([Transfer(5_000, ref), Transfer(300, "ﾀﾞﾚｶ", inquiry=2)])
    first = await import_zengin(ctx, data)
    again = await import_zengin(ctx, data)
    lf_copy = await import_zengin(ctx, data.replace(b"\r\n", b"\n"))
    assert first.changed and not again.changed and not lf_copy.changed
    assert again.file_id == first.file_id
    assert (await order_payment(ctx, order.id)).received == 5_000
    assert len(await list_unmatched(ctx)) == 1


async def test_a_line_already_imported_in_another_file_is_not_paid_twice(database):
    ctx = make_ctx()
    order, ref = await instructed(ctx)
    line = Transfer(5_000, ref, inquiry=9)
    await import_zengin(ctx, notice_file([line]))
    result = await import_zengin(ctx, notice_file([line, Transfer(100, "ﾀﾞﾚｶ", inquiry=10)]))
    assert result.changed and result.new_lines == 1
    assert (await order_payment(ctx, order.id)).received == 5_000
