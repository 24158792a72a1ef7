import pytest

from core.catalog.products import get_product, list_products, save_product
from core.contracts.common import ProductSpec
from core.errors import NotFound, ValidationFailed
from tests.core.catalog.helpers import make_ctx, make_product


async def test_saving_the_same_code_twice_updates_one_product(database):
    ctx = make_ctx()
    first = await make_product(ctx, terms=(12,))
    second = await make_product(ctx, terms=(12, 24))
    assert first.id == second.id
    assert [p.terms_months for p in await list_products(ctx)] == [(12, 24)]


@pytest.mark.parametrize("terms", [(0,), (73,), ()])
async def test_terms_are_one_month_to_six_years(database, terms):
    ctx = make_ctx()
    spec = ProductSpec(code="x", name_ja="x", name_en="x", kind="ssl", terms_months=terms)
    with pytest.raises(ValidationFailed) as refused:
        await save_product(ctx, 1, "test_digi", spec)
    assert [e.field for e in refused.value.errors] == ["terms_months"]


async def test_one_month_and_six_years_are_allowed(database):
    product = await make_product(make_ctx(), terms=(1, 72))
    assert product.terms_months == (1, 72)


async def test_another_tenant_cannot_load_the_product(database):
    product = await make_product(make_ctx())
    with pytest.raises(NotFound):
        await get_product(make_ctx(), product.id)
