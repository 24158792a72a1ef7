import dataclasses
from datetime import date, timedelta

import pytest

from core.catalog.retail import set_retail_price
from core.contracts.common import Price
from core.errors import NotFound, ValidationFailed
from core.orders.lines import LineInput
from core.orders.printable import printable_quote
from core.orders.quotes import (
    QuoteRequest,
    convert_quote,
    create_quote,
    delete_quote,
    get_quote,
    list_quotes,
    update_quote,
)
from core.orders.tables import Order, QuoteLine
from tests.core.catalog.helpers import make_ctx
from tests.core.orders.helpers import make_deps, priced_product

MEMO = "202012_山田商事株式会社向け見積り 社内メモ"


async def _quote(ctx, base=1000, **request):
    product_id = await priced_product(ctx, base)
    lines = (LineInput(product_id, quantity=2, term_months=24, fqdns=1, wildcards=0),)
    quote = await create_quote(ctx, QuoteRequest(lines=lines, memo=MEMO, **request), make_deps())
    return quote, product_id


async def test_saved_today_and_valid_for_30_days(database):
    ctx = make_ctx()  # 7 December 2026, JST
    quote, _ = await _quote(ctx)
    assert (quote.saved_on, quote.valid_until) == (date(2026, 12, 7), date(2027, 1, 6))
    assert (quote.subtotal, quote.tax, quote.total) == (2000, 200, 2200)


async def test_converts_on_day_30_at_the_quoted_price(database):
    ctx = make_ctx()
    quote, product_id = await _quote(ctx)
    await set_retail_price(ctx, product_id, 24, Price(5000))
    ctx.clock.advance(timedelta(days=30))
    order = await convert_quote(ctx, quote.id, "bank_transfer", make_deps())
    assert order.quote_id == quote.id
    assert [(line.unit_price, line.amount) for line in order.lines] == [(1000, 2000)]
    assert order.total == quote.total
    assert (await get_quote(ctx, quote.id)).order_id == order.id
    again = await convert_quote(ctx, quote.id, "bank_transfer", make_deps())
    assert again.id == order.id
    assert await Order.count().where(Order.tenant_id == ctx.tenant.id).run() == 1


async def test_refused_on_day_31(database):
    ctx = make_ctx()
    quote, _ = await _quote(ctx)
    ctx.clock.advance(timedelta(days=31))
    with pytest.raises(ValidationFailed) as refused:
        await convert_quote(ctx, quote.id, "bank_transfer", make_deps())
    (error,) = refused.value.errors
    assert (error.message_id, error.params) == (
        "orders.quote.expired",
        {"valid_until": "2027-01-06"},
    )
    assert await Order.count().where(Order.tenant_id == ctx.tenant.id).run() == 0


async def test_the_memo_never_reaches_the_printable_view(database):
    ctx = make_ctx()
    quote, _ = await _quote(ctx, title="山田商事株式会社様 御見積書")
    assert quote.memo == MEMO
    printable = await printable_quote(ctx, quote.id)
    assert "memo" not in {f.name for f in dataclasses.fields(printable)}
    assert MEMO not in repr(printable)
    assert printable.title == "山田商事株式会社様 御見積書"
    assert printable.lines[0].name == "ssl-ov 証明書"
    assert (await printable_quote(ctx, quote.id, "en")).lines[0].name == "ssl-ov certificate"


async def test_an_account_credit_quote_is_a_total_only(database):
    ctx = make_ctx()
    quote = await create_quote(ctx, QuoteRequest(credit_amount=438_000), make_deps())
    assert quote.kind == "account_credit"
    assert [(line.name_ja, line.amount) for line in quote.lines] == [
        ("アカウントクレジット", 438_000)
    ]
    assert quote.total == 481_800
    order = await convert_quote(ctx, quote.id, "bank_transfer", make_deps())
    assert order.subtotal == 438_000
    with pytest.raises(ValidationFailed):
        await create_quote(
            ctx, QuoteRequest(credit_amount=1000, lines=(LineInput(1),)), make_deps()
        )


async def test_editing_the_memo_keeps_the_dates_and_editing_lines_reprices(database):
    ctx = make_ctx()
    quote, product_id = await _quote(ctx)
    await set_retail_price(ctx, product_id, 24, Price(1500))
    ctx.clock.advance(timedelta(days=10))
    request = QuoteRequest(lines=(LineInput(product_id, 2, 24, 1, 0),), memo="changed")
    edited = await update_quote(ctx, quote.id, request, make_deps())
    assert (edited.memo, edited.saved_on, edited.total) == ("changed", quote.saved_on, 2200)
    more = QuoteRequest(lines=(LineInput(product_id, 3, 24, 1, 0),), memo="changed")
    repriced = await update_quote(ctx, quote.id, more, make_deps())
    assert repriced.saved_on == date(2026, 12, 17)
    assert repriced.valid_until == date(2027, 1, 16)
    assert [(line.quantity, line.unit_price) for line in repriced.lines] == [(3, 1500)]


async def test_provider_limits_apply_to_quotes(database):
    ctx = make_ctx()
    product_id = await priced_product(ctx, 1000)
    lines = (LineInput(product_id), LineInput(product_id, quantity=1001))
    with pytest.raises(ValidationFailed) as refused:
        await create_quote(ctx, QuoteRequest(lines=lines), make_deps())
    assert [e.field for e in refused.value.errors] == ["lines[1].quantity"]


async def test_delete_is_for_good(database):
    ctx = make_ctx()
    quote, _ = await _quote(ctx)
    await delete_quote(ctx, quote.id)
    with pytest.raises(NotFound):
        await get_quote(ctx, quote.id)
    assert await QuoteLine.count().where(QuoteLine.quote == quote.id).run() == 0
    assert await list_quotes(ctx) == []


async def test_another_tenant_cannot_load_edit_delete_or_convert_the_quote(database):
    ctx, other = make_ctx(), make_ctx()
    quote, _ = await _quote(ctx)
    with pytest.raises(NotFound):
        await get_quote(other, quote.id)
    with pytest.raises(NotFound):
        await printable_quote(other, quote.id)
    with pytest.raises(NotFound):
        await update_quote(other, quote.id, QuoteRequest(credit_amount=1), make_deps())
    with pytest.raises(NotFound):
        await delete_quote(other, quote.id)
    with pytest.raises(NotFound):
        await convert_quote(other, quote.id, "card", make_deps())
    assert (await get_quote(ctx, quote.id)).memo == MEMO
