"""The plugin's routes under /api/v1/digicert: same API keys, tenant isolation, CSV, refusals."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from core.context import tenant_scope
from tenants.api_keys import SCOPES, create_api_key
from tests.conftest import make_app
from tests.plugins.digicert.shop import forget_account, make_shop

BODY = {
    "payment_method": "bank_transfer",
    "customer_name": "株式会社サンプル",
    "notes": "API",
    "lines": [{"product": "ssl_basic", "quantity": 3, "years": 1, "fqdns": 1, "wildcards": 0}],
}


async def api_key(shop) -> dict[str, str]:
    with tenant_scope(shop.tenant):
        key = await create_api_key(shop.ctx, "panel", list(SCOPES))
    return {"X-API-Key": key.key}


async def test_voucher_orders_through_the_api_and_tenant_isolation(database, settings, upstream):
    shop_a = await make_shop(settings, upstream.clock, upstream.api_url)
    shop_b = await make_shop(settings, upstream.clock, upstream.api_url)
    try:
        a, b = await api_key(shop_a), await api_key(shop_b)
        async with AsyncTestClient(make_app(settings, clock=upstream.clock)) as web:
            created = await web.post(
                "/api/v1/digicert/voucher-orders/", json=BODY,
                headers={**a, "Idempotency-Key": "api-order-0001"},
            )  # fmt: skip
            assert created.status_code == 201, created.text
            order = created.json()
            assert [c["status"] for c in order["codes"]] == ["active"] * 3
            again = await web.post(
                "/api/v1/digicert/voucher-orders/", json=BODY,
                headers={**a, "Idempotency-Key": "api-order-0001"},
            )  # fmt: skip
            assert again.json()["id"] == order["id"]

            mine = await web.get("/api/v1/digicert/voucher-orders/", headers=a)
            assert [o["id"] for o in mine.json()] == [order["id"]]
            assert (await web.get("/api/v1/digicert/voucher-orders/", headers=b)).json() == []
            theirs = await web.get(f"/api/v1/digicert/voucher-orders/{order['id']}", headers=b)
            assert theirs.status_code == 404
            csv_b = await web.get(
                f"/api/v1/digicert/voucher-orders/{order['id']}/codes/csv", headers=b
            )
            assert csv_b.status_code == 404
            cancel_b = await web.put(
                f"/api/v1/digicert/voucher-orders/{order['id']}/cancel", headers=b
            )
            assert cancel_b.status_code == 404
            code_id = order["codes"][0]["id"]
            reissue_b = await web.post(
                f"/api/v1/digicert/voucher-orders/codes/{code_id}/reissue", headers=b
            )
            assert reissue_b.status_code == 404
            assert (await web.get("/api/v1/digicert/voucher-orders/")).status_code == 401

            csv_a = await web.get("/api/v1/digicert/voucher-orders/csv?status=completed", headers=a)
            assert csv_a.status_code == 200 and csv_a.content.startswith(b"\xef\xbb\xbf")
            assert "株式会社サンプル" in csv_a.content.decode("utf-8-sig")

            bad = await web.post(
                "/api/v1/digicert/voucher-orders/",
                json={**BODY, "lines": [{**BODY["lines"][0], "quantity": 0}]},
                headers={**a, "Idempotency-Key": "api-order-0002", "Accept-Language": "ja"},
            )
            assert bad.status_code == 422
            assert bad.json()["errors"][0]["code"] == "digicert.line.quantity_out_of_range"
            assert "数量" in bad.json()["errors"][0]["message"]

            cancelled = await web.put(
                f"/api/v1/digicert/voucher-orders/{order['id']}/cancel", headers=a
            )
            assert cancelled.status_code == 200, cancelled.text
            assert cancelled.json()["status"] == "cancelled"
    finally:
        await forget_account(shop_a)
        await forget_account(shop_b)
