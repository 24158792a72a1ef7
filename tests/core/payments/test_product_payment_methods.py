"""Which payment methods each product accepts: the tenant's enabled methods by default,
narrowed per product, and enforced when an order is placed."""

from dataclasses import replace

import pytest

from core.catalog.payment_methods import (
    accepted_methods,
    product_methods,
    set_product_methods,
)
from core.errors import NotFound, ValidationFailed
from core.i18n import Translator, load_catalogs
from core.orders.lines import LineInput
from core.orders.placing import OrderRequest, create_order
from tests.core.catalog.helpers import make_ctx
from tests.core.orders.helpers import make_deps, priced_product
from tests.core.payments.methods import Enabled

ALL = Enabled("card", "bank_transfer", "wallet")


async def test_a_product_accepts_every_enabled_method_until_narrowed(database):
    ctx = make_ctx()
    product = await priced_product(ctx, 10_000)
    view = await product_methods(ctx, product, ALL)
    assert view.methods == ("card", "bank_transfer", "wallet") and not view.narrowed
    narrowed = await set_product_methods(ctx, product, ["wallet", "card"], ALL)
    assert narrowed.methods == ("card", "wallet") and narrowed.narrowed
    # a method the tenant disables later drops out of the narrowed list
    assert (await product_methods(ctx, product, Enabled("wallet"))).methods == ("wallet",)
    back = await set_product_methods(ctx, product, None, ALL)
    assert back.methods == ALL.codes and not back.narrowed


async def test_accepted_methods_are_what_every_product_accepts(database):
    ctx = make_ctx()
    first = await priced_product(ctx, 10_000, code="a")
    second = await priced_product(ctx, 20_000, code="b")
    third = await priced_product(ctx, 30_000, code="c")
    await set_product_methods(ctx, first, ["card", "bank_transfer"], ALL)
    await set_product_methods(ctx, second, ["bank_transfer", "wallet"], ALL)
    assert await accepted_methods(ctx, [first, third], ALL) == ("card", "bank_transfer")
    assert await accepted_methods(ctx, [first, second, third], ALL) == ("bank_transfer",)
    assert await accepted_methods(ctx, [third], Enabled("card")) == ("card",)


@pytest.mark.parametrize(
    ("methods", "field", "message_id"),
    [
        (["card", "paypal"], "payment_methods[1]", "catalog.payment_methods.unknown"),
        (["direct_debit"], "payment_methods[0]", "catalog.payment_methods.not_enabled"),
        ([], "payment_methods", "catalog.payment_methods.none"),
    ],
)
async def test_unknown_or_not_enabled_methods_are_refused_naming_the_field(
    database, methods, field, message_id
):
    ctx = make_ctx()
    product = await priced_product(ctx, 10_000)
    with pytest.raises(ValidationFailed) as refused:
        await set_product_methods(ctx, product, methods, ALL)
    assert [(e.field, e.message_id) for e in refused.value.errors] == [(field, message_id)]
    assert not (await product_methods(ctx, product, ALL)).narrowed
    catalogs = load_catalogs("core.catalog")
    for language in ("ja", "en"):
        text = Translator(catalogs, language)(message_id, method="paypal")
        assert text != message_id and ("paypal" in text or message_id.endswith("none"))


async def test_another_tenants_product_is_not_found(database):
    ctx, other = make_ctx(), make_ctx()
    product = await priced_product(ctx, 10_000)
    with pytest.raises(NotFound):
        await set_product_methods(other, product, ["card"], ALL)
    with pytest.raises(NotFound):
        await product_methods(other, product, ALL)


async def test_an_order_paid_by_a_method_a_product_refuses_is_refused(database):
    ctx = make_ctx()
    card_only = await priced_product(ctx, 10_000, code="card-only")
    anything = await priced_product(ctx, 5_000, code="anything")
    await set_product_methods(ctx, card_only, ["card"], ALL)
    deps = replace(make_deps(), payment_methods=ALL)
    lines = (LineInput(anything), LineInput(card_only))
    with pytest.raises(ValidationFailed) as refused:
        await create_order(ctx, OrderRequest("bank_transfer", lines), deps)
    [error] = refused.value.errors
    assert (error.field, error.message_id) == (
        "payment_method",
        "orders.order.payment_method_not_accepted",
    )
    catalogs = load_catalogs("core.orders")
    assert "bank_transfer" in Translator(catalogs, "ja")(error.message_id, **error.params)
    assert "bank_transfer" in Translator(catalogs, "en")(error.message_id, **error.params)
    order = await create_order(ctx, OrderRequest("card", lines), deps)
    assert order.payment_method == "card"


async def test_a_method_the_tenant_has_not_enabled_is_refused_at_order_creation(database):
    ctx = make_ctx()
    product = await priced_product(ctx, 10_000)
    deps = replace(make_deps(), payment_methods=Enabled("bank_transfer"))
    with pytest.raises(ValidationFailed) as refused:
        await create_order(ctx, OrderRequest("wallet", (LineInput(product),)), deps)
    assert refused.value.errors[0].field == "payment_method"
