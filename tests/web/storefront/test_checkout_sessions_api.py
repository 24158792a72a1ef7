"""``/api/v1/checkout-sessions`` over HTTP on SQLite and PostgreSQL: a hosting panel opens a
hosted checkout, the customer completes it on the tenant's host, the panel reads the order;
refusals name their field in the caller's language; sessions expire; another tenant's key
sees nothing."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from core.clock import FrozenClock
from tests.core.orders.helpers import TestPlugin
from tests.web.browser import PASSWORD, START, browser, browser_settings, csrf_of, make_app, on_host
from tests.web.storefront.helpers import make_store

PANEL = "https://panel.example-hosting.jp"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def settings(tmp_path, database):
    return browser_settings(tmp_path, database)


@pytest.fixture
def app(settings, clock):
    return make_app(settings, clock=clock, plugins=[TestPlugin()])


def _body(product_id: int, **changes):
    body = {
        "lines": [{"product_id": product_id, "term_months": 12, "fqdns": 1}],
        "customer": {"email": "buyer@example.jp", "name": "田中 一郎"},
        "success_url": f"{PANEL}/ssl/done",
        "cancel_url": f"{PANEL}/ssl",
        "metadata": {"panel_account": "u-20931"},
    }
    body.update(changes)
    return body


async def test_open_read_and_complete_a_session(app, settings, clock):
    store = await make_store(clock, settings)
    async with browser(app, store.host) as client:
        created = await client.post(
            "/api/v1/checkout-sessions", json=_body(store.product_id), headers=store.headers
        )
        assert created.status_code == 201, created.text
        session = created.json()
        assert session["status"] == "open" and session["order_id"] is None
        assert session["metadata"] == {"panel_account": "u-20931"}
        url = urlsplit(session["url"])
        assert url.hostname == store.host and url.path == f"/checkout/{session['id']}"
        read = await client.get(f"/api/v1/checkout-sessions/{session['id']}", headers=store.headers)
        assert read.json()["id"] == session["id"]

        opened = await client.get(url.path)
        assert opened.status_code == 303
        assert opened.headers["location"] == "/shop/checkout/account?email=buyer%40example.jp"
        account = await client.get(opened.headers["location"])
        assert 'value="buyer@example.jp"' in account.text  # the known customer is prefilled
        assert f'href="{PANEL}/ssl"' in account.text  # cancel: back to the panel
        assert 'value="田中 一郎"' in account.text  # and the sign-up form too
        signed = await client.post(
            "/shop/checkout/sign-in",
            data={
                "email": store.shop.customer_email,
                "password": PASSWORD,
                "csrf_token": csrf_of(account.text),
            },
        )
        assert signed.headers["location"] == "/shop/checkout/payment"
        payment = await client.get("/shop/checkout/payment?lang=ja")
        assert "34,100円" in payment.text  # (30,000 + 1,000) + 10 %: the session's line
        token = re.search(r'name="form_token" value="([^"]+)"', payment.text).group(1)
        placed = await client.post(
            "/shop/checkout/place",
            data={
                "payment_method": "bank_transfer",
                "form_token": token,
                "csrf_token": csrf_of(payment.text),
            },
        )
        order_id = int(placed.headers["location"].split("/")[3])
        done = await client.get(f"/shop/orders/{order_id}")
        assert f'data-origin="{PANEL}"' in done.text
        assert f'data-order="{order_id}"' in done.text
        assert f'href="{PANEL}/ssl/done"' in done.text
        finished = await client.get(
            f"/api/v1/checkout-sessions/{session['id']}", headers=store.headers
        )
        assert finished.json()["status"] == "complete"
        assert finished.json()["order_id"] == order_id
        closed = await client.get(url.path)
        assert closed.status_code == 410  # a completed session cannot be paid twice


async def test_refusals_name_the_field(app, settings, clock):
    store = await make_store(clock, settings)
    async with browser(app, store.host) as client:
        bad = _body(
            999_999,
            success_url="ftp://panel.example-hosting.jp/done",
            expires_in_minutes=5,
            customer={"phone": "03"},
        )
        answer = await client.post(
            "/api/v1/checkout-sessions",
            json=bad,
            headers={**store.headers, "Accept-Language": "en"},
        )
        assert answer.status_code == 422
        fields = {error["field"]: error for error in answer.json()["errors"]}
        assert set(fields) == {
            "success_url",
            "expires_in_minutes",
            "customer.phone",
            "lines[0].product_id",
        }
        assert fields["expires_in_minutes"]["message"] == (
            "Give a number of minutes from 30 to 1440."
        )
        mixed = _body(store.product_id, cancel_url="https://elsewhere.example.jp/")
        answer = await client.post("/api/v1/checkout-sessions", json=mixed, headers=store.headers)
        assert [e["field"] for e in answer.json()["errors"]] == ["cancel_url"]


async def test_sessions_expire(app, settings, clock):
    store = await make_store(clock, settings)
    async with browser(app, store.host) as client:
        created = await client.post(
            "/api/v1/checkout-sessions",
            json=_body(store.product_id, expires_in_minutes=30),
            headers=store.headers,
        )
        session = created.json()
        clock.advance(timedelta(minutes=30))
        read = await client.get(f"/api/v1/checkout-sessions/{session['id']}", headers=store.headers)
        assert read.json()["status"] == "expired"
        page = await client.get(f"/checkout/{session['id']}?lang=en")
        assert page.status_code == 410 and "This checkout has expired" in page.text


async def test_another_tenant_sees_no_session(app, settings, clock):
    store = await make_store(clock, settings)
    other = await make_store(clock, settings)
    async with browser(app, store.host) as client:
        created = await client.post(
            "/api/v1/checkout-sessions", json=_body(store.product_id), headers=store.headers
        )
        session_id = created.json()["id"]
        read = await client.get(f"/api/v1/checkout-sessions/{session_id}", headers=other.headers)
        assert read.status_code == 404
        on_host(client, other.host)
        assert (await client.get(f"/checkout/{session_id}")).status_code == 404
        foreign = await client.post(
            "/api/v1/checkout-sessions", json=_body(store.product_id), headers=other.headers
        )
        assert [e["field"] for e in foreign.json()["errors"]] == ["lines[0].product_id"]


async def test_both_routes_have_openapi_examples(app):
    async with browser(app, "shomei.test") as client:
        schema = (await client.get("/api/v1/schema/openapi.json")).json()
    create = schema["paths"]["/api/v1/checkout-sessions"]["post"]
    read = schema["paths"]["/api/v1/checkout-sessions/{session_id}"]["get"]
    body = create["requestBody"]["content"]["application/json"]["schema"]
    assert all(example["metadata"] and example["lines"] for example in body["examples"])
    for operation, status in ((create, "201"), (read, "200")):
        examples = operation["responses"][status]["content"]["application/json"]["examples"]
        assert all(e["value"]["url"].startswith("https://") for e in examples.values())


async def test_a_session_that_expires_during_checkout_places_no_order(app, settings, clock):
    store = await make_store(clock, settings)
    async with browser(app, store.host) as client:
        created = await client.post(
            "/api/v1/checkout-sessions",
            json=_body(store.product_id, expires_in_minutes=30),
            headers=store.headers,
        )
        clock.advance(timedelta(minutes=20))  # the customer opens it late
        opened = await client.get(urlsplit(created.json()["url"]).path)
        account = await client.get(opened.headers["location"])
        await client.post(
            "/shop/checkout/sign-in",
            data={
                "email": store.shop.customer_email,
                "password": PASSWORD,
                "csrf_token": csrf_of(account.text),
            },
        )
        payment = await client.get("/shop/checkout/payment")
        token = re.search(r'name="form_token" value="([^"]+)"', payment.text).group(1)
        clock.advance(timedelta(minutes=11))  # and places the order after it expired
        placed = await client.post(
            "/shop/checkout/place?lang=en",
            data={
                "payment_method": "bank_transfer",
                "form_token": token,
                "csrf_token": csrf_of(payment.text),
            },
        )
        assert placed.status_code == 410 and "This checkout has expired" in placed.text
        orders = await client.get("/api/v1/orders", headers=store.headers)
        assert orders.json() == []
