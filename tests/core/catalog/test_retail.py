from datetime import date

import pytest

from core.catalog.retail import (
    Markup,
    MarkupKind,
    resolve_price,
    set_markup,
    set_retail_price,
    unit_price,
)
from core.catalog.wholesale import import_price_table
from core.contracts.common import Price
from core.errors import ValidationFailed
from tests.core.catalog.helpers import make_ctx, make_product, operator

CONTRACT_END = date(2030, 1, 1)


@pytest.mark.parametrize(
    ("markup", "wholesale", "retail"),
    [
        (Markup(MarkupKind.PERCENT, 3000, round_to=1), 9_440, 12_272),
        (Markup(MarkupKind.PERCENT, 3000, round_to=10), 9_441, 12_280),  # 12,273.3 -> 12,280
        (Markup(MarkupKind.PERCENT, 3000, round_to=100), 9_440, 12_300),
        (Markup(MarkupKind.PERCENT, 1250, round_to=1), 101, 114),  # 113.625 rounds up
        (Markup(MarkupKind.FIXED, 2_000, round_to=100), 17_601, 19_700),
        (Markup(MarkupKind.FIXED, 2_000, round_to=10), 17_600, 19_600),  # already round
    ],
)
def test_markup_rounds_up_to_the_chosen_unit(markup, wholesale, retail):
    assert markup.apply(wholesale) == retail


def test_unit_price_adds_each_additional_fqdn_and_wildcard():
    assert (
        unit_price(Price(17_600, 26_400, 93_120), fqdns=3, wildcards=2) == 17_600 + 79_200 + 186_240
    )


async def test_markup_applies_to_the_wholesale_price_of_the_product(database):
    ctx = make_ctx()
    product = await make_product(ctx, code="basic-ov", account_id=3, terms=(12,))
    table = "製品コード\t製品名\t年数\t種別\t定価\t割引率\t提供価格\n"
    table += "basic-ov\tBasic OV\t1\tbase\t20000\t12\t17600\n"
    table += "basic-ov\tBasic OV\t1\tadditional_fqdn\t30000\t12\t26400\n"
    table += "basic-ov\tBasic OV\t1\twildcard\t100000\t12\t93120\n"
    await import_price_table(operator(ctx), 3, CONTRACT_END, table.encode())
    await set_markup(ctx, Markup(MarkupKind.PERCENT, 1000, round_to=100))
    assert await resolve_price(ctx, product, 12) == Price(19_400, 29_100, 102_500)


async def test_an_explicit_price_wins_over_the_markup(database):
    ctx = make_ctx()
    product = await make_product(ctx, code="basic-ov", account_id=3, terms=(12, 24))
    table = "製品コード\t製品名\t年数\t定価\t割引率\t提供価格\nbasic-ov\tBasic OV\t1\t2\t0\t1000\n"
    await import_price_table(operator(ctx), 3, CONTRACT_END, table.encode())
    await set_markup(ctx, Markup(MarkupKind.PERCENT, 5000, round_to=10))
    assert (await resolve_price(ctx, product, 12)).base == 1500
    await set_retail_price(ctx, product.id, 12, Price(1234))
    assert await resolve_price(ctx, product, 12) == Price(1234)
    await set_retail_price(ctx, product.id, 12, Price(1300, per_additional_fqdn=500))
    assert await resolve_price(ctx, product, 12) == Price(1300, 500)


async def test_no_price_and_unoffered_terms_are_refused(database):
    ctx = make_ctx()
    product = await make_product(ctx, terms=(12,))
    with pytest.raises(ValidationFailed) as refused:
        await resolve_price(ctx, product, 12)
    assert refused.value.errors[0].message_id == "catalog.price.unavailable"
    with pytest.raises(ValidationFailed) as refused:
        await set_retail_price(ctx, product.id, 24, Price(1000))
    assert refused.value.errors[0].message_id == "catalog.price.term_not_offered"


async def test_markup_round_to_must_be_1_10_or_100(database):
    with pytest.raises(ValidationFailed):
        await set_markup(make_ctx(), Markup(MarkupKind.PERCENT, 1000, round_to=50))


async def test_prices_are_per_tenant(database):
    ctx, other = make_ctx(), make_ctx()
    product = await make_product(ctx, terms=(12,))
    await set_retail_price(ctx, product.id, 12, Price(5000))
    await set_markup(other, Markup(MarkupKind.FIXED, 1))
    with pytest.raises(ValidationFailed):
        await resolve_price(other, product, 12)
