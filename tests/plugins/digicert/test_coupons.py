"""The coupon converter against the sandbox over HTTP, on both databases: status, one
conversion per coupon keeping its expiry, several coupons of one product into one
multi-domain voucher, and every refusal with its message in ja and en."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.context import tenant_scope
from core.errors import ValidationFailed
from plugins.digicert.coupons import check_coupon, convert_coupons
from plugins.digicert.sandbox.coupons import add_coupon
from plugins.digicert.vouchers import cancel_voucher_order
from tenants.audit import list_audit
from tests.plugins.digicert.helpers import refusal

EXPIRY = "2027-04-25"  # the seed's クーポンの状況: 有効期限 2027年4月25日


def coupons(upstream, *specs: tuple[str, str]) -> list[str]:
    for number, product in specs:
        add_coupon(upstream.sandbox, number, product, EXPIRY)
    return [number for number, _ in specs]


async def test_status_then_one_conversion_keeping_the_expiry(shop, client, upstream):
    (number,) = coupons(upstream, ("1111222233334444", "ssl_basic"))
    with tenant_scope(shop.tenant):
        before = await check_coupon(shop.ctx, client, number)
        assert (before.converted, before.expired) == (False, False)
        assert before.expires_on == date(2027, 4, 25)
        order = await convert_coupons(shop.ctx, client, [number])
        (code,) = order.codes
        assert code.redeem_by == date(2027, 4, 25)  # the coupon's expiry, not generation + 1 year
        assert (code.product_name_id, code.no_of_fqdns, code.status) == ("ssl_basic", 1, "active")
        assert (order.payment_method, order.total, order.invoice_id) == ("coupon", 0, None)
        after = await check_coupon(shop.ctx, client, number)
        assert (after.converted, after.voucher_code) == (True, code.value)

        with pytest.raises(ValidationFailed) as twice:
            await convert_coupons(shop.ctx, client, [number])
        texts = refusal(twice.value, "coupons[0]", "digicert.coupon.already_converted")
        assert "交換済" in texts["ja"] and "cannot be converted again" in texts["en"]

        assert not order.can_cancel  # a conversion cannot be undone
        with pytest.raises(ValidationFailed) as cancel:
            await cancel_voucher_order(shop.ctx, client, order.id)
        refusal(cancel.value, "voucher_order", "digicert.cancel.converted_coupon")
        entries = (await list_audit()).entries
    assert [e.action for e in entries].count("digicert.coupon.converted") == 1
    assert (await client.coupon_status(number)).status == "converted"


async def test_several_coupons_of_one_product_make_one_multi_domain_voucher(shop, client, upstream):
    numbers = coupons(
        upstream,
        ("2000000000000001", "ssl_basic"),
        ("2000000000000002", "ssl_basic"),
        ("2000000000000003", "ssl_basic"),
    )
    with tenant_scope(shop.tenant):
        order = await convert_coupons(shop.ctx, client, numbers)
        (code,) = order.codes
        assert (code.no_of_fqdns, code.redeem_by) == (3, date(2027, 4, 25))
        for number in numbers:
            assert (await check_coupon(shop.ctx, client, number)).converted
        with pytest.raises(ValidationFailed) as again:
            await convert_coupons(shop.ctx, client, numbers[1:])
    assert {e.field for e in again.value.errors} == {"coupons[0]", "coupons[1]"}
    assert len(await client.voucher_codes(order.upstream_id)) == 1


async def test_coupons_of_different_products_are_refused_naming_the_field(shop, client, upstream):
    numbers = coupons(
        upstream, ("3000000000000001", "ssl_basic"), ("3000000000000002", "ssl_ev_basic")
    )
    with tenant_scope(shop.tenant), pytest.raises(ValidationFailed) as refused:
        await convert_coupons(shop.ctx, client, numbers)
    texts = refusal(refused.value, "coupons[1]", "digicert.coupon.products_differ")
    assert "同一製品" in texts["ja"] and "same product" in texts["en"]
    assert len(refused.value.errors) == 1
    assert (await client.coupon_status(numbers[0])).status == "unused"  # nothing converted


async def test_format_unknown_duplicate_and_expired_coupons(shop, client, upstream):
    (number,) = coupons(upstream, ("4000000000000001", "ssl_basic"))
    with tenant_scope(shop.tenant):
        with pytest.raises(ValidationFailed) as hyphens:
            await check_coupon(shop.ctx, client, "4000-0000-0000-0001")
        refusal(hyphens.value, "coupon_number", "digicert.coupon.number_invalid")
        with pytest.raises(ValidationFailed) as unknown:
            await check_coupon(shop.ctx, client, "9999999999999999")
        texts = refusal(unknown.value, "coupon_number", "digicert.coupon.not_found")
        assert "9999999999999999" in texts["en"]
        with pytest.raises(ValidationFailed) as twice:
            await convert_coupons(shop.ctx, client, [number, number])
        refusal(twice.value, "coupons[1]", "digicert.coupon.duplicate")
        with pytest.raises(ValidationFailed) as empty:
            await convert_coupons(shop.ctx, client, ["", " "])
        refusal(empty.value, "coupons", "digicert.coupon.none")

        upstream.clock.set(upstream.clock.now().replace(year=2027, month=4, day=25, hour=14))
        assert not (await check_coupon(shop.ctx, client, number)).expired  # last day, JST
        upstream.clock.advance(timedelta(days=1))
        assert (await check_coupon(shop.ctx, client, number)).expired
        with pytest.raises(ValidationFailed) as late:
            await convert_coupons(shop.ctx, client, [number])
    texts = refusal(late.value, "coupons[0]", "digicert.coupon.expired")
    assert "2027-04-25" in texts["ja"] and "expired" in texts["en"]


async def test_a_retry_after_an_ambiguous_failure_converts_once(shop, client, upstream):
    (number,) = coupons(upstream, ("5000000000000001", "ssl_basic"))
    upstream.sandbox.faults.inject("error_after", 1, method="POST", path_contains="/coupon/")
    with tenant_scope(shop.tenant):
        order = await convert_coupons(shop.ctx, client, [number])
    assert len(order.codes) == 1
    converted = [
        o for o in await client.list_voucher_orders() if o.raw.get("payment_method") == "coupon"
    ]
    assert [o.id for o in converted] == [order.upstream_id]
