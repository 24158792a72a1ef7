"""Quote PDFs and sending them through the API: download, send once per key, isolation."""

import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
from litestar.testing import AsyncTestClient

from core.clock import FrozenClock
from core.context import TenantRef, tenant_scope
from core.tables import OutboxEvent
from tests.conftest import make_app
from tests.web.api_fixtures import TestPlugin, api_tenant

START = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
MEMO = "社内メモ 値引き可"


@pytest.fixture
def clock():
    return FrozenClock(START)


@pytest.fixture
async def api(settings, clock):
    app = make_app(settings, plugins=[TestPlugin()], clock=clock)
    async with AsyncTestClient(app) as client:
        yield client


def pdf_text(pdf: bytes, folder, name: str) -> str:
    assert shutil.which("pdftotext"), "pdftotext (poppler-utils) is needed: bash scripts/test"
    path = folder / name
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True)
    return "".join(out.stdout.split())


async def _quote(api, shop) -> dict:
    body = {"lines": [{"product_id": shop.product_id, "term_months": 24}], "memo": MEMO}
    created = await api.post("/api/v1/quotes", json=body, headers=shop.headers)
    assert created.status_code == 201, created.text
    return created.json()


async def _sent_events(tenant_id: int) -> list[dict]:
    return await (
        OutboxEvent.select()
        .where((OutboxEvent.tenant_id == tenant_id) & (OutboxEvent.event_type == "quote.sent"))
        .output(load_json=True)
        .run()
    )


async def test_pdf_in_japanese_and_english_without_the_memo(api, settings, clock, output_dir):
    shop = await api_tenant(settings, clock)
    quote = await _quote(api, shop)
    ja = await api.get(f"/api/v1/quotes/{quote['id']}/pdf?lang=ja", headers=shop.headers)
    assert ja.status_code == 200, ja.text
    assert ja.headers["content-type"].startswith("application/pdf")
    number = f"Q-{quote['id']:06d}"
    assert f'filename="{number}.pdf"' in ja.headers["content-disposition"]
    text = pdf_text(ja.content, output_dir, "api-ja.pdf")
    assert "見積書" in text and number in text and "企業認証SSL" in text
    assert "2026/11/22" in text and "2026/12/22" in text and "11,000円" in text
    assert "社内メモ" not in text
    en = await api.get(f"/api/v1/quotes/{quote['id']}/pdf?lang=en", headers=shop.headers)
    text = pdf_text(en.content, output_dir, "api-en.pdf")
    assert "Quotation" in text and "OVSSL" in text and "¥11,000" in text
    default = await api.get(f"/api/v1/quotes/{quote['id']}/pdf", headers=shop.headers)
    assert "見積書" in pdf_text(default.content, output_dir, "api-default.pdf")  # tenant's: ja


async def test_an_expired_quote_downloads_marked_expired(api, settings, clock, output_dir):
    shop = await api_tenant(settings, clock)
    quote = await _quote(api, shop)
    clock.advance(timedelta(days=31))
    response = await api.get(f"/api/v1/quotes/{quote['id']}/pdf?lang=ja", headers=shop.headers)
    assert response.status_code == 200
    assert "期限切れ" in pdf_text(response.content, output_dir, "api-expired.pdf")


async def test_an_unknown_language_is_refused(api, settings, clock):
    shop = await api_tenant(settings, clock)
    quote = await _quote(api, shop)
    response = await api.get(f"/api/v1/quotes/{quote['id']}/pdf?lang=fr", headers=shop.headers)
    assert response.status_code == 400
    sent = await api.post(
        f"/api/v1/quotes/{quote['id']}/send",
        json={"to": "buyer@example.jp", "language": "fr"},
        headers=shop.headers,
    )
    assert sent.status_code == 422
    assert sent.json()["errors"][0]["code"] == "orders.quote.language_invalid"


async def test_send_writes_one_event_per_key_and_recipient(api, settings, clock):
    shop = await api_tenant(settings, clock)
    quote = await _quote(api, shop)
    url = f"/api/v1/quotes/{quote['id']}/send"
    body = {"to": "buyer@example.jp", "language": "en"}
    headers = {**shop.headers, "Idempotency-Key": "send-0001"}
    first = await api.post(url, json=body, headers=headers)
    assert first.status_code == 202, first.text
    assert first.json()["queued"] is True and first.json()["number"] == f"Q-{quote['id']:06d}"
    again = await api.post(url, json=body, headers=headers)
    assert again.status_code == 202 and again.json()["queued"] is False
    other = await api.post(url, json={**body, "to": "cfo@example.jp"}, headers=headers)
    assert other.json()["queued"] is True
    fresh = await api.post(url, json=body, headers={**shop.headers, "Idempotency-Key": "send-2"})
    assert fresh.json()["queued"] is True
    with tenant_scope_of(shop):
        events = await _sent_events(shop.tenant_id)
    assert len(events) == 3
    payload = events[0]["payload"]
    assert payload["to"] == "buyer@example.jp" and payload["language"] == "en"
    assert payload["total"] == 11_000 and payload["valid_until"] == "2026-12-22"
    assert MEMO not in str(payload)  # the stored document has no memo either


async def test_a_bad_address_is_refused_and_nothing_is_written(api, settings, clock):
    shop = await api_tenant(settings, clock)
    quote = await _quote(api, shop)
    response = await api.post(
        f"/api/v1/quotes/{quote['id']}/send", json={"to": "not-an-address"}, headers=shop.headers
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "to"
    assert response.json()["errors"][0]["code"] == "orders.quote.recipient_invalid"
    with tenant_scope_of(shop):
        assert await _sent_events(shop.tenant_id) == []


async def test_another_tenant_gets_404_for_pdf_and_send(api, settings, clock):
    owner, other = await api_tenant(settings, clock), await api_tenant(settings, clock)
    quote = await _quote(api, owner)
    pdf = await api.get(f"/api/v1/quotes/{quote['id']}/pdf", headers=other.headers)
    assert pdf.status_code == 404
    sent = await api.post(
        f"/api/v1/quotes/{quote['id']}/send",
        json={"to": "buyer@example.jp", "language": "ja"},
        headers=other.headers,
    )
    assert sent.status_code == 404
    with tenant_scope_of(owner):
        assert await _sent_events(owner.tenant_id) == []


async def test_sending_needs_the_write_scope(api, settings, clock):
    reader = await api_tenant(settings, clock, scopes=("orders:read",))
    writer_quote = await _quote(api, await api_tenant(settings, clock))
    response = await api.post(
        f"/api/v1/quotes/{writer_quote['id']}/send",
        json={"to": "buyer@example.jp"},
        headers=reader.headers,
    )
    assert response.status_code == 403


def tenant_scope_of(shop):
    return tenant_scope(TenantRef(id=shop.tenant_id, slug="shop"))
