from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509

from core.certificates.validity import validity_end
from tests.csr_helpers import make_csr
from tests.plugins.digicert.helpers import NAMES, order_request, spec


async def issue(client, upstream, years: int, key: str) -> x509.Certificate:
    answer = await client.order_certificate(order_request(years=years), key)
    status = await client.dcv_status(answer.id)
    for name in NAMES:
        upstream.tokens.serve_token(name, status.dcv_random_value)
    await client.check_dcv(answer.id)
    order = await client.get_order(answer.id)
    bundle = await client.download_pem_bundle(order.certificate.id)
    return x509.load_pem_x509_certificate(bundle.leaf.encode())


@pytest.mark.parametrize(
    ("issued_at", "years", "days"),
    [
        (datetime(2026, 3, 14, 23, 59, 59, tzinfo=UTC), 2, 398),
        (datetime(2026, 3, 14, 12, 0, tzinfo=UTC), 1, 365),  # the order's own term is shorter
        (datetime(2026, 3, 15, 0, 0, tzinfo=UTC), 2, 200),
        (datetime(2027, 3, 14, 23, 59, 59, tzinfo=UTC), 2, 200),
        (datetime(2027, 3, 15, 0, 0, tzinfo=UTC), 1, 100),
        (datetime(2029, 3, 15, 0, 0, tzinfo=UTC), 1, 47),
    ],
)
async def test_validity_follows_the_schedule_of_the_issue_date(
    client, upstream, issued_at, years, days
):
    upstream.clock.set(issued_at)
    leaf = await issue(client, upstream, years, f"validity:{issued_at:%Y%m%d%H%M}")
    assert leaf.not_valid_before_utc == issued_at
    assert leaf.not_valid_after_utc == validity_end(issued_at, days)


async def test_reissue_keeps_within_the_order_term(client, upstream):
    start = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)
    upstream.clock.set(start)
    await issue(client, upstream, 1, "term:1")
    (order,) = await client.list_certificate_orders()
    upstream.clock.advance(timedelta(days=180))
    again = await client.reissue(order.id, spec(csr=make_csr(NAMES[0], NAMES)))
    reissued = await client.get_order(again.id)
    bundle = await client.download_pem_bundle(reissued.certificate.id)
    leaf = x509.load_pem_x509_certificate(bundle.leaf.encode())
    now = upstream.clock.now()
    assert leaf.not_valid_after_utc == validity_end(now, 185)  # 365 - 180 days left, < 200 cap
    assert reissued.order_valid_till == "2027-03-14"
