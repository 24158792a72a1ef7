import re
from datetime import datetime

import pytest

from core.clock import JST
from plugins.digicert.errors import InvalidRequest
from plugins.digicert.models import VoucherLine, VoucherOrderRequest

CODE = re.compile(r"^[A-Z0-9]{32}$")


def voucher_request(**changes: object) -> VoucherOrderRequest:
    lines = (
        VoucherLine("ssl_basic", quantity=2, validity_years=2, no_of_fqdns=3, no_of_wildcards=1),
        VoucherLine("ssl_dv_geotrust", quantity=1, validity_years=1, no_of_fqdns=1),
    )
    plain = {
        "vouchers": lines,
        "payment_method": "bank_transfer",
        "customer_name": "株式会社サンプル",
        "notes": "4月納品分",
    }
    plain.update(changes)
    return VoucherOrderRequest(**plain)  # type: ignore[arg-type]


async def test_create_list_get_voucher_order(client, upstream):
    order = await client.create_voucher_order(voucher_request(), "line:1:fulfil")
    assert order.status == "completed"
    assert order.can_cancel
    assert order.customer_name == "株式会社サンプル"
    assert order.notes == "4月納品分"  # the key's marker line is not part of the notes
    assert order.idempotency_key == "line:1:fulfil"
    assert [line.quantity for line in order.lines] == [2, 1]
    assert order.cost > 0

    listed = await client.list_voucher_orders()
    assert [o.id for o in listed] == [order.id]
    again = await client.get_voucher_order(order.id)
    assert again == order


async def test_codes_json_and_csv(client, upstream):
    order = await client.create_voucher_order(voucher_request(), "line:2:fulfil")
    codes = await client.voucher_codes(order.id)
    assert len(codes) == 3
    assert all(CODE.match(c.value) for c in codes)
    assert len({c.value for c in codes}) == 3
    assert {c.status for c in codes} == {"active"}
    assert {c.redeem_by for c in codes} == {"2027-03-14"}  # one year after generation
    first = codes[0]
    assert (first.no_of_fqdns, first.no_of_wildcards, first.validity_years) == (3, 1, 2)
    assert first.redeem_link.endswith(f"ssl_basic?vc={first.value}")
    assert f"vc={first.value}" in first.renewal_redeem_link

    exported = await client.voucher_codes_csv(order.id)
    assert exported.content.startswith(b"\xef\xbb\xbf")  # BOM for Japanese Excel
    assert [row["value"] for row in exported.rows] == [c.value for c in codes]
    assert exported.rows[0]["product_name"] == "Basic OV"
    assert exported.rows[0]["voucher_validity_end_date"] == "2027-03-14"
    assert "cert_common_name" in exported.rows[0]


async def test_cancel_within_30_days_only(client, upstream):
    order = await client.create_voucher_order(voucher_request(), "line:3:fulfil")
    cancelled = await client.cancel_voucher_order(order.id)
    assert cancelled.status == "cancelled"
    assert not cancelled.can_cancel
    assert {c.status for c in await client.voucher_codes(order.id)} == {"cancelled"}

    late = await client.create_voucher_order(voucher_request(), "line:4:fulfil")
    upstream.clock.set(datetime(2026, 4, 13, 23, 59, tzinfo=JST))  # day 30 in Japan
    assert (await client.get_voucher_order(late.id)).can_cancel
    upstream.clock.set(datetime(2026, 4, 14, 0, 0, tzinfo=JST))  # day 31
    assert not (await client.get_voucher_order(late.id)).can_cancel
    with pytest.raises(InvalidRequest) as refused:
        await client.cancel_voucher_order(late.id)
    assert refused.value.codes == ("voucher_order_cannot_be_canceled",)


async def test_refusals_carry_the_api_errors(client, upstream):
    bad = voucher_request(vouchers=(VoucherLine("ssl_basic", quantity=1001),))
    with pytest.raises(InvalidRequest) as refused:
        await client.create_voucher_order(bad, "line:5:fulfil")
    assert refused.value.status == 400
    assert refused.value.errors[0].code == "invalid_quantity"

    object.__setattr__(upstream.sandbox.config, "billing_contact_complete", False)
    with pytest.raises(InvalidRequest) as refused:
        await client.create_voucher_order(voucher_request(), "line:6:fulfil")
    assert refused.value.errors[0].message == "organization_name is a required parameter"
