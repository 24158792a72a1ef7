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


async def test_coupons_direct_purchase_and_certificates_through_the_api(
    database, settings, upstream
):
    from plugins.digicert.sandbox.coupons import add_coupon
    from tests.csr_helpers import make_csr

    add_coupon(upstream.sandbox, "7000000000000001", "ssl_basic", "2027-04-25")
    shop_a = await make_shop(settings, upstream.clock, upstream.api_url)
    shop_b = await make_shop(settings, upstream.clock, upstream.api_url)
    names = ("www.api.test", "api.test")
    try:
        a, b = await api_key(shop_a), await api_key(shop_b)
        async with AsyncTestClient(make_app(settings, clock=upstream.clock)) as web:
            status = await web.get(
                "/api/v1/digicert/coupons/status?number=7000000000000001", headers=a
            )
            assert status.json()["converted"] is False
            assert status.json()["expires_on"] == "2027-04-25"
            body = {"coupons": ["7000000000000001"]}
            converted = await web.post("/api/v1/digicert/coupons/convert", json=body, headers=a)
            assert converted.status_code == 201, converted.text
            assert converted.json()["codes"][0]["redeem_by"] == "2027-04-25"
            twice = await web.post(
                "/api/v1/digicert/coupons/convert", json=body,
                headers={**a, "Accept-Language": "ja"},
            )  # fmt: skip
            assert twice.status_code == 422
            (error,) = twice.json()["errors"]
            assert error["code"] == "digicert.coupon.already_converted"
            assert "交換済" in error["message"]

            direct = {
                "product": "ssl_basic", "years": 1, "csr": make_csr(names[0], names),
                "organization_name": "株式会社エーピーアイ", "payment_method": "bank_transfer",
            }  # fmt: skip
            bought = await web.post(
                "/api/v1/digicert/certificate-orders/", json=direct,
                headers={**a, "Idempotency-Key": "direct-api-0001"},
            )  # fmt: skip
            assert bought.status_code == 201, bought.text
            order = bought.json()
            assert order["invoice_id"] is not None and order["total"] == 17_600 + 26_400
            certificate = order["certificate"]
            path = f"/api/v1/digicert/certificates/{certificate['id']}"
            for other in (
                await web.get(path, headers=b),
                await web.put(f"{path}/check", headers=b),
                await web.get(f"{path}/pem", headers=b),
                await web.get(f"/api/v1/digicert/certificate-orders/{order['id']}", headers=b),
            ):
                assert other.status_code == 404
            early = await web.get(f"{path}/pem", headers=a)
            assert early.status_code == 422
            assert early.json()["errors"][0]["code"] == "digicert.download.not_issued"
            for name in names:
                upstream.tokens.serve_token(name, certificate["dcv_random_value"])
            checked = await web.put(f"{path}/check", headers=a)
            assert checked.json()["status"] == "issued"
            pem = await web.get(f"{path}/pem", headers=a)
            assert pem.text.count("BEGIN CERTIFICATE") == 3
            p7b = await web.get(f"{path}/p7b", headers=a)
            assert p7b.content.startswith(b"-----BEGIN PKCS7-----")

            voucher = converted.json()["codes"][0]["value"]
            redeem = {
                "code": voucher, "csr": make_csr("*.api.test", ("*.api.test",)),
                "organization_name": "株式会社エーピーアイ", "dcv_method": "email",
            }  # fmt: skip
            refused = await web.post("/api/v1/digicert/certificates/", json=redeem, headers=a)
            assert refused.status_code == 422  # the coupon's voucher has 1 FQDN, no wildcard
            assert refused.json()["errors"][0]["code"] == "digicert.redeem.too_many_names"
            redeem["csr"] = make_csr("mail.api.test", ("mail.api.test",))
            redeemed = await web.post("/api/v1/digicert/certificates/", json=redeem, headers=a)
            assert redeemed.status_code == 201, redeemed.text
            assert redeemed.json()["status"] == "pending"
    finally:
        await forget_account(shop_a)
        await forget_account(shop_b)
