import json
import logging
import re

from litestar.testing import AsyncTestClient

from core.ops import ops_token
from tests.conftest import make_app, make_settings


async def test_health_answers(client):
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_checks_database_and_broker(client):
    response = await client.get("/ready")
    assert response.status_code == 200, response.text
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}


async def test_ready_names_an_unreachable_broker(tmp_path, database):
    settings = make_settings(tmp_path, database, broker_url="redis://127.0.0.1:1/0")
    async with AsyncTestClient(make_app(settings)) as client:
        response = await client.get("/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("cannot reach the broker")


async def test_openapi_schema_lists_the_api(client):
    response = await client.get("/api/v1/schema/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "shomei API"
    assert "/api/v1/system/worker-pings" in schema["paths"]
    assert "/ready" in schema["paths"]


async def test_api_docs_page_works_offline(client):
    response = await client.get("/api/v1/schema/docs")
    assert response.status_code == 200
    html = response.text
    assert "/api/v1/system/worker-pings" in html
    assert "Send a ping task to a worker queue" in html
    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
    assert external == [], f"docs page loads from the network: {external}"


async def test_request_id_is_generated_echoed_and_logged(client, caplog):
    caplog.set_level(logging.INFO, logger="shomei.request")
    generated = (await client.get("/health")).headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{24}", generated)
    echoed = await client.get("/health", headers={"X-Request-ID": "panel-req-12345"})
    assert echoed.headers["x-request-id"] == "panel-req-12345"
    hostile = await client.get("/health", headers={"X-Request-ID": "<script>"})
    assert hostile.headers["x-request-id"] != "<script>"
    records = [r for r in caplog.records if r.name == "shomei.request"]
    assert any(r.path == "/health" and r.status == 200 for r in records)


def test_log_lines_are_json_with_request_id():
    from core.logs import JsonFormatter, bind_log_context

    record = logging.makeLogRecord(
        {
            "name": "x",
            "msg": "hello %s",
            "args": ("world",),
            "levelno": 20,
            "levelname": "INFO",
            "status": 201,
        }
    )
    with bind_log_context(request_id="abc123abc123"):
        line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["msg"] == "hello world"
    assert entry["request_id"] == "abc123abc123"
    assert entry["status"] == 201


async def test_home_page_in_japanese_by_default_and_english_on_request(client):
    ja = await client.get("/")
    assert ja.status_code == 200
    assert '<html lang="ja">' in ja.text
    assert "SSL/TLS 証明書の販売と管理" in ja.text
    en = await client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="en">' in en.text
    assert "Sell and manage SSL/TLS certificates" in en.text
    forced = await client.get("/?lang=ja", headers={"Accept-Language": "en"})
    assert '<html lang="ja">' in forced.text
    assert "[" + "home." not in ja.text + en.text  # no untranslated message ids


async def test_static_stylesheet_is_served_locally(client):
    response = await client.get("/static/shomei.css")
    assert response.status_code == 200
    assert "--accent" in response.text


async def test_worker_ping_needs_the_ops_token(client, settings):
    refused = await client.post("/api/v1/system/worker-pings", json={"queue": "default"})
    assert refused.status_code == 401
    headers = {"Authorization": f"Bearer {ops_token(settings.secret_key)}"}
    bad_queue = await client.post(
        "/api/v1/system/worker-pings", json={"queue": "nope"}, headers=headers
    )
    assert bad_queue.status_code == 422
    assert bad_queue.json()["errors"][0]["field"] == "queue"


async def test_every_host_serves_a_neutral_favicon(client):
    """The base domain and a tenant's host answer the browser's /favicon.ico with the same
    small neutral icon (no shomei branding on a tenant's host, no 404 in the logs)."""
    from tests.tenants.helpers import active_tenant

    result, _ = await active_tenant()
    shop_page = await client.get("/shop/", headers={"Host": f"{result.tenant.slug}.localhost:8000"})
    assert shop_page.status_code == 200, "the host is the tenant's"
    icons = []
    for host in ("localhost:8000", f"{result.tenant.slug}.localhost:8000"):
        answer = await client.get("/favicon.ico", headers={"Host": host})
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "image/x-icon"
        assert answer.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
        assert b"shomei" not in answer.content
        icons.append(answer.content)
    assert icons[0] == icons[1]
