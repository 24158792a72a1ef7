"""Bank transfer through the API: instructions, Zengin imports (raw and multipart), the
customer-facing 入金確認済 status, the unmatched queue, and another tenant's 404s."""

from datetime import UTC, datetime

import pytest
from litestar.testing import AsyncTestClient

from core.clock import FrozenClock
from core.context import Actor, Context, system_scope, tenant_scope
from tenants.credentials import Keyring
from tenants.onboarding import tenant_ref
from tenants.provider_accounts import save_account
from tenants.tables import Tenant
from tests.conftest import make_app
from tests.core.payments.helpers import BANK_ACCOUNT
from tests.plugins.bank_transfer.builder import Transfer, notice_file
from tests.web.api_fixtures import TestPlugin, api_tenant

START = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
IMPORTS = "/api/v1/bank-transfers/imports"
UNMATCHED = "/api/v1/bank-transfers/unmatched"


@pytest.fixture
def clock():
    return FrozenClock(START)


@pytest.fixture
async def api(settings, clock):
    app = make_app(settings, plugins=[TestPlugin()], clock=clock)
    async with AsyncTestClient(app) as client:
        yield client


async def bank_shop(settings, clock):
    """An API tenant whose bank-transfer account is set up."""
    shop = await api_tenant(settings, clock)
    with system_scope("test: read the tenant"):
        row = await Tenant.objects().where(Tenant.id == shop.tenant_id).first()
    tenant = tenant_ref(row)
    ctx = Context(tenant, Actor.system("test"), clock)
    with tenant_scope(tenant):
        keyring = Keyring.from_settings(settings)
        await save_account(ctx, keyring, "payment", "bank_transfer", BANK_ACCOUNT.config, {})
    return shop


async def transfer_order(api, shop, key: str) -> tuple[dict, str]:
    body = {"payment_method": "bank_transfer", "lines": [{"product_id": shop.product_id}]}
    created = await api.post(
        "/api/v1/orders", json=body, headers={**shop.headers, "Idempotency-Key": key}
    )
    assert created.status_code == 201, created.text
    order = created.json()
    issued = await api.post(
        f"/api/v1/orders/{order['id']}/transfer-instructions", headers=shop.headers
    )
    assert issued.status_code == 200, issued.text
    return order, issued.json()["payer_reference"]


async def test_an_exact_transfer_shows_payment_confirmed(api, settings, clock):
    shop = await bank_shop(settings, clock)
    order, ref = await transfer_order(api, shop, "bank-order-0001")
    awaiting = await api.get(f"/api/v1/orders/{order['id']}", headers=shop.headers)
    assert awaiting.json()["state"] == "awaiting_payment"
    data = notice_file([Transfer(order["total"], f"{ref} ﾔﾏﾀﾞ ﾀﾛｳ")])
    imported = await api.post(
        IMPORTS,
        content=data,
        headers={**shop.headers, "Content-Type": "application/octet-stream"},
    )
    assert imported.status_code == 200, imported.text
    assert imported.json()["changed"] and imported.json()["matched"] == 1
    found = await api.get(f"/api/v1/orders/{order['id']}", headers=shop.headers)
    assert found.json()["state"] == "paid"
    payment = await api.get(
        f"/api/v1/orders/{order['id']}/payment", headers={**shop.headers, "Accept-Language": "ja"}
    )
    assert payment.json()["status"] == "confirmed"
    assert payment.json()["label"] == "入金確認済"
    again = await api.post(
        IMPORTS, files={"file": ("zengin.txt", data)}, headers=shop.headers
    )  # the same file, as a multipart upload
    assert again.status_code == 200 and again.json()["changed"] is False


async def test_a_partial_transfer_leaves_the_rest_due(api, settings, clock):
    shop = await bank_shop(settings, clock)
    order, ref = await transfer_order(api, shop, "bank-order-0002")
    await api.post(IMPORTS, content=notice_file([Transfer(1_000, ref)]), headers=shop.headers)
    payment = await api.get(
        f"/api/v1/orders/{order['id']}/payment", headers={**shop.headers, "Accept-Language": "en"}
    )
    assert payment.json()["status"] == "partial" and payment.json()["label"] == "Partly paid"
    assert payment.json()["remaining_due"] == order["total"] - 1_000


async def test_a_broken_trailer_is_refused_with_the_parsers_message(api, settings, clock):
    shop = await bank_shop(settings, clock)
    order, ref = await transfer_order(api, shop, "bank-order-0003")
    data = notice_file([Transfer(order["total"], ref)], count=2)
    refused = await api.post(
        IMPORTS, content=data, headers={**shop.headers, "Accept-Language": "ja"}
    )
    assert refused.status_code == 422
    (error,) = refused.json()["errors"]
    assert error["code"] == "payments.bank_file.refused"
    assert "trailer.count" in error["message"] and "全銀ファイル" in error["message"]
    found = await api.get(f"/api/v1/orders/{order['id']}", headers=shop.headers)
    assert found.json()["state"] == "awaiting_payment"


async def test_unknown_payer_is_resolved_by_staff_once_and_not_by_another_tenant(
    api, settings, clock
):
    shop, other = await bank_shop(settings, clock), await bank_shop(settings, clock)
    order, _ = await transfer_order(api, shop, "bank-order-0004")
    data = notice_file([Transfer(order["total"], "ﾀﾞﾚｶ ｻﾝ")])
    imported = await api.post(IMPORTS, content=data, headers=shop.headers)
    assert imported.json()["unmatched"] == 1
    (line,) = (await api.get(UNMATCHED, headers=shop.headers)).json()
    assert (await api.get(UNMATCHED, headers=other.headers)).json() == []
    other_order, _ = await transfer_order(api, other, "bank-order-0005")
    stolen = await api.post(
        f"{UNMATCHED}/{line['id']}/resolve", json={"order_id": other_order["id"]},
        headers=other.headers,
    )  # fmt: skip
    assert stolen.status_code == 404
    resolved = await api.post(
        f"{UNMATCHED}/{line['id']}/resolve", json={"order_id": order["id"]}, headers=shop.headers
    )
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["effect"] == "paid"
    twice = await api.post(
        f"{UNMATCHED}/{line['id']}/resolve", json={"order_id": order["id"]}, headers=shop.headers
    )
    assert twice.status_code == 422
    assert twice.json()["errors"][0]["code"] == "payments.bank_line.already_resolved"
    found = await api.get(f"/api/v1/orders/{order['id']}", headers=shop.headers)
    assert found.json()["state"] == "paid"
