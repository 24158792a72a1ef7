"""DOMAIN.md Provider 1 rules the other files leave out, each with the clock moved and each
refusal's message rendered in ja and en: the redeem-by day, validity counted from issuance,
the exact 30-day cancel boundary, and reissuing a dead code."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.context import tenant_scope
from core.errors import ValidationFailed
from plugins.digicert import redemption
from plugins.digicert.vouchers import (
    VoucherLineIn,
    VoucherOrderIn,
    cancel_voucher_order,
    place_voucher_order,
    reissue_code,
)
from tests.csr_helpers import make_csr
from tests.plugins.digicert.helpers import refusal

NAMES = ("www.shop.test", "shop.test")


async def place(shop, client, key: str, quantity: int = 2):
    request = VoucherOrderIn("bank_transfer", (VoucherLineIn("ssl_basic", quantity, 1, 2, 0),))
    with tenant_scope(shop.tenant):
        return await place_voucher_order(shop.ctx.with_key(key), client, request)


async def test_redeemable_through_the_redeem_by_day_not_after(shop, client, upstream):
    order = await place(shop, client, "redeem-by")
    first, second = order.codes
    last_day = first.redeem_by
    upstream.clock.set(datetime.combine(last_day, time(23, 0), tzinfo=UTC))
    with tenant_scope(shop.tenant):
        made = await redemption.redeem(
            shop.ctx, client, first.value, None, make_csr(NAMES[0], NAMES), "株式会社テスト"
        )
        assert made.status == "pending"
        upstream.clock.advance(timedelta(hours=2))  # the day after redeem-by
        with pytest.raises(ValidationFailed) as late:
            await redemption.redeem(
                shop.ctx, client, second.value, None, make_csr(NAMES[0], NAMES), "株式会社テスト"
            )
    texts = refusal(late.value, "code", "digicert.redeem.past_redeem_by")
    assert "有効期限を過ぎています" in texts["ja"]
    assert "redeem-by" in texts["en"]


async def test_validity_starts_at_issuance_not_at_purchase(shop, client, upstream):
    order = await place(shop, client, "validity-start", 1)
    upstream.clock.advance(timedelta(days=100))
    issued_on = upstream.clock.now()
    with tenant_scope(shop.tenant):
        started = await redemption.redeem(
            shop.ctx,
            client,
            order.codes[0].value,
            None,
            make_csr(NAMES[0], NAMES),
            "株式会社テスト",
        )
        for name in NAMES:
            upstream.tokens.serve_token(name, started.dcv_random_value)
        issued = await redemption.poll(shop.ctx, client, started.id)
    assert issued.issued_at == issued_on
    upstream_order = await client.get_order(issued.upstream_order_id)
    assert upstream_order.order_valid_from[:10] == issued_on.date().isoformat()
    assert upstream_order.certificate.valid_from[:10] == issued_on.date().isoformat()


async def test_cancel_refused_from_00_00_jst_of_day_31(shop, client, upstream):
    """生成から 30 日以内 ends with the 30th calendar day in Japan (core.calendar_windows):
    generated 2026-03-14 21:00 JST, cancellable through 2026-04-13 24:00 JST."""
    order = await place(shop, client, "exactly-30")
    upstream.clock.set(datetime(2026, 4, 14, 0, 0, tzinfo=ZoneInfo("Asia/Tokyo")))
    with tenant_scope(shop.tenant), pytest.raises(ValidationFailed) as refused:
        await cancel_voucher_order(shop.ctx, client, order.id)
    texts = refusal(refused.value, "voucher_order", "digicert.cancel.after_30_days")
    assert "30" in texts["ja"] and "within 30 days" in texts["en"]
    assert (await client.get_voucher_order(order.upstream_id)).status == "completed"


async def test_a_used_or_reissued_code_cannot_be_reissued(shop, client, upstream):
    order = await place(shop, client, "reissue-dead")
    used, active = order.codes
    with tenant_scope(shop.tenant):
        await redemption.redeem(
            shop.ctx, client, used.value, None, make_csr(NAMES[0], NAMES), "株式会社テスト"
        )
        with pytest.raises(ValidationFailed) as refused:
            await reissue_code(shop.ctx, client, used.id)
        texts = refusal(refused.value, "code", "digicert.reissue.not_active")
        assert "active" in texts["en"]
        await reissue_code(shop.ctx, client, active.id)
        with pytest.raises(ValidationFailed) as twice:
            await reissue_code(shop.ctx, client, active.id)
        refusal(twice.value, "code", "digicert.reissue.not_active")
        with pytest.raises(ValidationFailed) as cancel:
            await cancel_voucher_order(shop.ctx, client, order.id)
    refusal(cancel.value, "voucher_order", "digicert.cancel.not_all_active")


def test_invoice_item_texts_follow_the_seed():
    """seeds/000 請求書: ``GeoTrust TrueBusiness ID EV 1 Year with 3 FQDNs`` (no "and 0
    Wildcards") and ``Basic OV 2 Years with 3 FQDNs and 3 Wildcards``."""
    from plugins.digicert.vouchers import line_item

    def item(name: str, years: int, fqdns: int, wildcards: int) -> str:
        return line_item({"name_en": name, "years": years, "fqdns": fqdns, "wildcards": wildcards})

    assert item("GeoTrust TrueBusiness ID EV", 1, 3, 0) == (
        "GeoTrust TrueBusiness ID EV 1 Year with 3 FQDNs"
    )
    assert item("Basic OV", 2, 3, 3) == "Basic OV 2 Years with 3 FQDNs and 3 Wildcards"
    assert item("Basic OV", 1, 1, 0) == "Basic OV 1 Year with 1 FQDN"
    assert item("Basic OV", 1, 0, 1) == "Basic OV 1 Year with 1 Wildcard"
