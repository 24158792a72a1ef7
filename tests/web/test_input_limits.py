"""Bad input is refused at the edge with a 4xx naming the field, never a 500 (issue 13,
defect 5): ids beyond 32 bits in paths, queries and bodies, NUL in any text, text longer than
its column, too many lines, deeply nested JSON, a non-ASCII API key."""

from datetime import UTC, datetime

import pytest
from litestar.testing import AsyncTestClient

from core.clock import FrozenClock
from tests.conftest import make_app
from tests.web.api_fixtures import TestPlugin, api_tenant
from web.input_limits import json_depth

BIG = 99_999_999_999


@pytest.fixture
def clock():
    return FrozenClock(datetime(2026, 11, 22, 9, 0, tzinfo=UTC))


@pytest.fixture
async def api(settings, clock):
    async with AsyncTestClient(make_app(settings, plugins=[TestPlugin()], clock=clock)) as client:
        yield client


def _fields(response) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


async def test_ids_beyond_32_bits_are_not_found_or_refused(api, settings, clock):
    shop = await api_tenant(settings, clock)
    for path in (
        f"/api/v1/orders/{BIG}",
        f"/api/v1/quotes/{BIG}/pdf",
        f"/api/v1/customers/{BIG}/payment-method",
        f"/api/v1/digicert/voucher-orders/{BIG}",
        f"/api/v1/digicert/certificates/{BIG}",
    ):
        response = await api.get(path, headers=shop.headers)
        assert response.status_code == 404, f"{path}: {response.text}"
    listed = await api.get(f"/api/v1/orders?customer_id={BIG}", headers=shop.headers)
    assert listed.status_code in (400, 422) and _fields(listed) == ["customer_id"], listed.text
    line = {"product_id": BIG, "quantity": BIG}
    for path in ("/api/v1/quotes", "/api/v1/orders"):
        response = await api.post(
            path,
            json={"payment_method": "card", "lines": [line], "credit_amount": None},
            headers={**shop.headers, "Idempotency-Key": "limits-big-ids"},
        )
        assert response.status_code in (400, 422), response.text
        assert set(_fields(response)) <= {"lines[0].product_id", "lines[0].quantity"}


async def test_nul_and_overlong_text_and_too_many_lines_are_refused_naming_the_field(
    api, settings, clock
):
    shop = await api_tenant(settings, clock)
    headers = {**shop.headers, "Accept-Language": "en"}
    line = {"product_id": shop.product_id}
    nul = await api.post(
        "/api/v1/quotes", json={"lines": [line], "title": "a\x00b"}, headers=headers
    )
    assert nul.status_code in (400, 422) and _fields(nul) == ["title"], nul.text
    long = await api.post(
        "/api/v1/quotes", json={"lines": [line], "title": "見" * 256}, headers=headers
    )
    assert long.status_code == 400 and _fields(long) == ["title"], long.text
    assert long.json()["errors"][0]["message"] == "Must be at most 255 characters."
    ok = await api.post(
        "/api/v1/quotes", json={"lines": [line], "title": "見" * 255}, headers=headers
    )
    assert ok.status_code == 201, ok.text
    many = await api.post(
        "/api/v1/orders",
        json={"payment_method": "card", "lines": [line] * 2_000},
        headers={**headers, "Idempotency-Key": "limits-2000-lines"},
    )
    assert many.status_code == 400 and _fields(many) == ["lines"], many.text
    query = await api.get("/api/v1/digicert/voucher-orders?status=a%00b", headers=headers)
    assert query.status_code == 400 and _fields(query) == ["status"], query.text


async def test_deep_json_and_odd_keys_are_refused(api, settings, clock):
    shop = await api_tenant(settings, clock)
    deep = b"[" * 100_000 + b"]" * 100_000
    assert json_depth(deep) == 100_000
    response = await api.post(
        "/api/v1/quotes",
        content=deep,
        headers={**shop.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400 and _fields(response) == ["body"], response.text
    for key in ("shomei_abc_秘密", "shomei_" + "x" * 5_000, "shomei_a\tb_c"):
        refused = await api.get("/api/v1/orders", headers={"X-API-Key": key.encode()})
        assert refused.status_code == 401, refused.text


async def test_a_zengin_file_with_nul_is_refused_naming_the_file(api, settings, clock):
    from tests.plugins.bank_transfer.builder import Transfer, notice_file

    shop = await api_tenant(settings, clock)
    data = notice_file([Transfer(1_000, "ﾀﾞﾚｶ\x00ｻﾝ")])
    response = await api.post("/api/v1/bank-transfers/imports", content=data, headers=shop.headers)
    assert response.status_code == 422 and _fields(response) == ["file"], response.text
