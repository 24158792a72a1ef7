import random

import httpx
import pytest

from plugins.digicert.client import CertCentralClient
from plugins.digicert.errors import RateLimited, RetriesExhausted, ServerError, TransportFailure
from plugins.digicert.models import VoucherLine, VoucherOrderRequest
from plugins.digicert.retry import RetryPolicy
from tests.plugins.digicert.conftest import API_KEY
from tests.plugins.digicert.helpers import order_request, spec
from tests.processes import free_port

VOUCHERS = VoucherOrderRequest((VoucherLine("ssl_basic"),), customer_name="顧客A")


async def test_429_then_success_honours_retry_after(client, upstream, sleeps):
    upstream.sandbox.faults.inject("rate_limit", 2, method="GET", path_contains="/voucher")
    assert await client.list_voucher_orders() == []
    assert upstream.sandbox.faults.count("GET", "/voucher") == 3
    assert len(sleeps) == 2 and all(s >= 1.0 for s in sleeps)  # Retry-After: 1


async def test_500_then_success_with_growing_jittered_delays(client, upstream, sleeps):
    upstream.sandbox.faults.inject("error", 3, method="GET")
    assert await client.list_certificate_orders() == []
    assert len(sleeps) == 3
    for n, slept in enumerate(sleeps, start=1):
        ceiling = 0.5 * 2 ** (n - 1)
        assert ceiling / 2 <= slept <= ceiling


async def test_gives_up_after_the_limit_with_a_typed_error(client, upstream, sleeps):
    upstream.sandbox.faults.inject("rate_limit", 10, method="GET")
    with pytest.raises(RetriesExhausted) as gave_up:
        await client.list_voucher_orders()
    assert gave_up.value.attempts == 4
    assert isinstance(gave_up.value.last, RateLimited)
    assert gave_up.value.codes == ("request_limit_exceeded",)
    assert upstream.sandbox.faults.count("GET") == 4
    assert len(sleeps) == 3


async def test_create_gives_up_on_persistent_5xx_without_creating(client, upstream):
    upstream.sandbox.faults.inject("error", 10, method="POST")
    with pytest.raises(RetriesExhausted) as gave_up:
        await client.create_voucher_order(VOUCHERS, "line:1:fulfil")
    assert isinstance(gave_up.value.last, ServerError)
    assert upstream.sandbox.faults.count("POST") == 4
    assert upstream.sandbox.store.table("voucher_orders") == {}


async def test_create_after_ambiguous_timeout_does_not_create_twice(upstream, sleeps):
    upstream.sandbox.faults.inject("delay_after", 1, delay=1.5, method="POST")
    async with CertCentralClient(
        API_KEY, upstream.api_url, timeout=0.5, sleep=sleeps, rng=random.Random(2)
    ) as impatient:
        order = await impatient.create_voucher_order(VOUCHERS, "line:2:fulfil")
        assert order.idempotency_key == "line:2:fulfil"
        assert len(upstream.sandbox.store.table("voucher_orders")) == 1
        assert upstream.sandbox.faults.count("POST") == 1
        # the same call again (a worker retried after a crash) finds the same order
        assert (await impatient.create_voucher_order(VOUCHERS, "line:2:fulfil")).id == order.id
    assert upstream.sandbox.faults.count("POST") == 1
    assert len(upstream.sandbox.store.table("voucher_orders")) == 1


async def test_order_after_500_following_the_work_does_not_order_twice(client, upstream):
    upstream.sandbox.faults.inject("error_after", 1, method="POST")
    answer = await client.order_certificate(order_request(), "ent:7:issue:1")
    assert len(upstream.sandbox.store.table("orders")) == 1
    assert (await client.get_order(answer.id)).idempotency_key == "ent:7:issue:1"
    assert answer.dcv_random_value


async def test_reissue_after_ambiguous_failure_is_not_repeated(client, upstream):
    answer = await client.order_certificate(order_request(dcv_method="email"), "ent:9:issue:1")
    async with httpx.AsyncClient() as http:
        mails = (await http.get(f"{upstream.url}/sandbox/emails")).json()["emails"]
        for mail in mails:
            await http.get(mail["approve_url"])
    assert (await client.get_order(answer.id)).status == "issued"

    new = spec()
    upstream.sandbox.faults.inject("error_after", 1, method="POST", path_contains="reissue")
    again = await client.reissue(answer.id, new)
    order = await client.get_order(answer.id)
    assert order.certificate.id == again.certificate_id
    assert order.certificate.csr == new.csr
    assert upstream.sandbox.faults.count("POST", "reissue") == 1
    certificates = upstream.sandbox.store.table("certificates").values()
    assert sum(1 for c in certificates if c["order_id"] == answer.id) == 2


async def test_connection_refused_is_retried_then_typed(sleeps):
    async with CertCentralClient(
        API_KEY,
        f"http://127.0.0.1:{free_port()}/services/v2",
        retry=RetryPolicy(attempts=3),
        sleep=sleeps,
    ) as nowhere:
        with pytest.raises(RetriesExhausted) as gave_up:
            await nowhere.get_order(1)
    assert isinstance(gave_up.value.last, TransportFailure)
    assert not gave_up.value.last.sent
    assert len(sleeps) == 2
