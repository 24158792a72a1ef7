from datetime import date, timedelta

import pytest

from core.catalog.price_csv import parse_price_table
from core.catalog.retail import Markup, MarkupKind, resolve_price, set_markup
from core.catalog.tables import WholesaleContract, WholesalePrice
from core.catalog.wholesale import import_price_table, list_price_tables
from core.contracts.common import Price
from core.errors import ValidationFailed
from tests.core.catalog.helpers import make_ctx, make_product, operator

EV = "デジサート グローバル・サーバID EV"
SEED_ROWS = f"""製品名\t定価\t割引率\t提供価格
{EV}(1年間有効)\t219,000\t0.0\t30
{EV}(複数年プラン2年間)\t416,100\t0.0\t70
{EV} 追加FQDN(1年間有効)\t219,000\t0.0\t30
{EV} 追加FQDN(複数年プラン2年間)\t416,100\t0.0\t70
"""
CONTRACT_END = date(2027, 6, 16)


def test_the_seed_layout_is_read_with_terms_and_items_from_the_name():
    rows = parse_price_table(SEED_ROWS.encode("utf-8-sig"))
    assert [(r.row_number, r.product_name, r.item, r.term_months) for r in rows] == [
        (2, EV, "base", 12),
        (3, EV, "base", 24),
        (4, EV, "additional_fqdn", 12),
        (5, EV, "additional_fqdn", 24),
    ]
    assert rows[1].list_price == 416_100 and rows[1].offered_price == 70


def test_comma_separated_shift_jis_with_english_headers_and_explicit_columns():
    text = "product_name,product_code,years,item,list_price,discount_rate,offered_price\n"
    text += 'Basic OV,basic-ov,2,wildcard,"168,960",10%,"152,064"\n'
    (row,) = parse_price_table(text.encode("cp932"))
    assert (row.product_code, row.term_months, row.item, row.offered_price) == (
        "basic-ov",
        24,
        "wildcard",
        152_064,
    )
    assert row.discount_rate == "10"


def test_a_bad_row_is_refused_with_its_row_number_and_column():
    bad = SEED_ROWS.replace("416,100\t0.0\t70\n", "416,100\t0.0\tseventy\n", 1)
    with pytest.raises(ValidationFailed) as refused:
        parse_price_table(bad.encode())
    (error,) = refused.value.errors
    assert error.field == "rows[3].offered_price"
    assert error.message_id == "catalog.price_csv.invalid_value"
    assert error.params == {"row": 3, "column": "提供価格"}


def test_missing_columns_and_terms_out_of_range_are_refused():
    with pytest.raises(ValidationFailed) as refused:
        parse_price_table("製品名\t定価\n".encode())
    assert {e.params["column"] for e in refused.value.errors} == {"割引率", "提供価格"}
    with pytest.raises(ValidationFailed) as refused:
        parse_price_table(f"製品名\t定価\t割引率\t提供価格\t年数\n{EV}\t1\t0\t1\t7\n".encode())
    assert [e.field for e in refused.value.errors] == ["rows[2].years"]


async def test_import_then_list_read_only_with_per_name_prices(database):
    ctx = make_ctx()
    result = await import_price_table(operator(ctx), 7, CONTRACT_END, SEED_ROWS.encode())
    assert result.changed and result.rows == 4
    (table,) = await list_price_tables(ctx)
    assert (table.provider_account_id, table.contract_end, table.active) == (7, CONTRACT_END, True)
    (product,) = table.products
    assert product.product_name == EV
    one_year = product.terms[0]
    assert (one_year.term_months, one_year.list_price, one_year.offered_price) == (12, 219_000, 30)
    assert one_year.per_additional_fqdn == 30


async def test_the_tenant_cannot_import_a_price_table(database):
    ctx = make_ctx()
    with pytest.raises(ValidationFailed) as refused:
        await import_price_table(ctx, 7, CONTRACT_END, SEED_ROWS.encode())
    assert refused.value.errors[0].message_id == "catalog.price_table.read_only"


async def test_importing_the_same_file_twice_changes_nothing(database):
    ctx = operator(make_ctx())
    await import_price_table(ctx, 7, CONTRACT_END, SEED_ROWS.encode())
    before = await WholesalePrice.select().where(WholesalePrice.tenant_id == ctx.tenant.id).run()
    contract_before = (
        await WholesaleContract.select().where(WholesaleContract.tenant_id == ctx.tenant.id).run()
    )
    ctx.clock.advance(timedelta(days=1))
    again = await import_price_table(ctx, 7, CONTRACT_END, SEED_ROWS.encode())
    assert not again.changed
    after = await WholesalePrice.select().where(WholesalePrice.tenant_id == ctx.tenant.id).run()
    assert after == before
    assert (
        await WholesaleContract.select().where(WholesaleContract.tenant_id == ctx.tenant.id).run()
        == contract_before
    )


async def test_a_bad_file_leaves_the_previous_table_untouched(database):
    ctx = operator(make_ctx())
    await import_price_table(ctx, 7, CONTRACT_END, SEED_ROWS.encode())
    bad = SEED_ROWS + f"{EV}(複数年プラン3年間)\tabc\t0.0\t75\n"
    with pytest.raises(ValidationFailed) as refused:
        await import_price_table(ctx, 7, CONTRACT_END, bad.encode())
    assert [e.field for e in refused.value.errors] == ["rows[6].list_price"]
    rows = await WholesalePrice.count().where(WholesalePrice.tenant_id == ctx.tenant.id).run()
    assert rows == 4


async def test_a_new_file_replaces_the_table_and_feeds_the_markup(database):
    ctx = make_ctx()
    product = await make_product(ctx, account_id=7, terms=(12, 24), wholesale_name=EV)
    await import_price_table(operator(ctx), 7, CONTRACT_END, SEED_ROWS.encode())
    await set_markup(ctx, Markup(MarkupKind.FIXED, 1000, round_to=10))
    assert await resolve_price(ctx, product, 24) == Price(1070, 1070, 0)
    cheaper = SEED_ROWS.replace("416,100\t0.0\t70\n", "416,100\t0.0\t50\n")
    assert (await import_price_table(operator(ctx), 7, CONTRACT_END, cheaper.encode())).changed
    assert await resolve_price(ctx, product, 24) == Price(1050, 1050, 0)


async def test_an_ended_contract_offers_no_wholesale_price(database):
    ctx = make_ctx()
    product = await make_product(ctx, account_id=7, terms=(12,), wholesale_name=EV)
    await import_price_table(operator(ctx), 7, CONTRACT_END, SEED_ROWS.encode())
    await set_markup(ctx, Markup(MarkupKind.PERCENT, 0))
    assert (await resolve_price(ctx, product, 12)).base == 30
    ctx.clock.advance(timedelta(days=365))
    with pytest.raises(ValidationFailed) as refused:
        await resolve_price(ctx, product, 12)
    assert refused.value.errors[0].message_id == "catalog.price.unavailable"


def _codes(data: bytes) -> list[tuple[str, str]]:
    with pytest.raises(ValidationFailed) as refused:
        parse_price_table(data)
    return [(e.field, e.message_id) for e in refused.value.errors]


def test_files_no_seller_sends_are_refused_naming_the_file_or_cell():
    header = "製品名,定価,割引率,提供価格,年数\n"
    assert _codes(b"\xff\xfe\x00\x81" * 10) == [("file", "catalog.price_csv.encoding")]
    nul = (header + "Basic\x00OV,1,0,1,1\n").encode()
    assert _codes(nul) == [("file", "catalog.price_csv.nul")]
    long_name = (header + "X" * 300 + ",1,0,1,1\n").encode()
    assert _codes(long_name) == [("rows[2].product_name", "catalog.price_csv.invalid_value")]
    huge_price = (header + "Basic OV,99999999999,0,1,1\n").encode()
    assert _codes(huge_price) == [("rows[2].list_price", "catalog.price_csv.invalid_value")]
    huge_cell = (header + "Basic OV,1,0,1," + "1" * 200_000 + "\n").encode()
    assert _codes(huge_cell) == [("file", "catalog.price_csv.malformed")]
    rows = "".join(f"P{n},1,0,1,1\n" for n in range(40_000))
    assert _codes((header + rows).encode()) == [("file", "catalog.price_csv.too_many_rows")]


async def test_a_large_price_table_is_written_in_batches(database):
    ctx = make_ctx()
    rows = "".join(f"製品{n},1000,0,900,1\n" for n in range(9_000))
    data = ("製品名,定価,割引率,提供価格,年数\n" + rows).encode()
    result = await import_price_table(operator(ctx), 7, CONTRACT_END, data)
    assert result.rows == 9_000
    assert (
        await WholesalePrice.count().where(WholesalePrice.contract_id == result.contract_id)
        == 9_000
    )
