"""The customer portal's orders and invoices: a customer sees theirs, and another customer's
(same tenant or not) answers 404 exactly like a missing one.

The walk collects every portal route that takes an id from the app's route table, so a new one
is covered without editing this test, as long as its id parameter names a kind of object this
module creates (``Buyer.ids``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest

from core.billing.invoices import create_invoice
from core.billing.models import LineDraft
from core.clock import FrozenClock
from core.context import tenant_scope
from core.i18n import missing_translations
from core.orders.lifecycle import transition
from core.orders.lines import LineInput
from core.orders.placing import OrderRequest, create_order
from core.orders.states import OrderState
from tenants.customers import add_customer_user, create_customer
from tenants.tables import CustomerUser
from tests.core.billing.factories import draft
from tests.core.orders.helpers import make_deps, priced_product
from tests.tenants.helpers import staff_context, unique
from tests.web.browser import (
    PASSWORD,
    START,
    Shop,
    browser,
    browser_settings,
    csrf_of,
    make_app,
    make_shop,
    on_host,
    sign_in,
)
from tests.web.portal_certificates.helpers import issued_entitlement

PARAM = re.compile(r"{(\w+)(?::\w+)?}")
MISSING_ID = 987_654_321


@dataclass(frozen=True)
class Buyer:
    """A customer login of a tenant with one order and the invoice of that order."""

    host: str
    email: str
    customer_id: int
    order_id: int
    invoice_id: int
    invoice_number: str
    entitlement_id: int

    @property
    def ids(self) -> dict[str, int]:
        """This buyer's objects by the path parameter that names them."""
        return {
            "order_id": self.order_id,
            "invoice_id": self.invoice_id,
            "entitlement_id": self.entitlement_id,
        }


async def _buyer(shop: Shop, clock: FrozenClock, email: str, customer_id: int, n: int) -> Buyer:
    ctx = staff_context(shop.tenant, shop.owner_id, clock)
    with tenant_scope(shop.tenant):
        product = await priced_product(ctx, 10_000, code=f"ssl-ov-{n}", per_additional_fqdn=500)
        order = await create_order(
            ctx,
            OrderRequest(
                "bank_transfer",
                (LineInput(product, quantity=3, term_months=24, fqdns=2),),
                customer_id=customer_id,
            ),
            make_deps(),
        )
        await transition(ctx, order.id, OrderState.AWAITING_PAYMENT, "portal test")
        line = LineDraft("SSLOV 2Yr", "OV SSL 2 Years", 3, order.lines[0].unit_price)
        invoice = await create_invoice(ctx, draft(str(order.id), lines=(line,)))
    entitlement = await issued_entitlement(shop, customer_id, clock.now())
    return Buyer(shop.host, email, customer_id, order.id, invoice.id, invoice.number, entitlement)


async def _shop_buyer(shop: Shop, clock: FrozenClock, n: int) -> Buyer:
    """The shop's own customer login."""
    with tenant_scope(shop.tenant):
        rows = await CustomerUser.select(CustomerUser.customer).where(
            CustomerUser.id == shop.customer_user_id
        )
    return await _buyer(shop, clock, shop.customer_email, rows[0]["customer"], n)


async def _second_buyer(shop: Shop, clock: FrozenClock, n: int) -> Buyer:
    """Another customer company of the same tenant, with its own login."""
    ctx = staff_context(shop.tenant, shop.owner_id, clock)
    email = f"{unique('other')}@example.jp"
    with tenant_scope(shop.tenant):
        customer = await create_customer(
            ctx, "別会社株式会社", "5300001", "大阪府", "大阪市北区梅田1-1-1", "06-1234-5678"
        )
        await add_customer_user(ctx, customer, email, "別 太郎", PASSWORD, set_by_staff=False)
    return await _buyer(shop, clock, email, customer, n)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def app(tmp_path, database, clock):
    return make_app(browser_settings(tmp_path, database), clock=clock)


@pytest.fixture
async def buyers(clock) -> tuple[Buyer, Buyer, Buyer]:
    """A and B: two customers of one tenant; C: a customer of another tenant."""
    shop, other_shop = await make_shop(clock), await make_shop(clock)
    a = await _shop_buyer(shop, clock, 1)
    b = await _second_buyer(shop, clock, 2)
    c = await _shop_buyer(other_shop, clock, 3)
    return a, b, c


class Browsers:
    """One test client (its loop owns the app), one signed-in session cookie per buyer."""

    def __init__(self, client) -> None:
        self.client = client
        self.sessions: dict[str, str] = {}

    async def as_buyer(self, buyer: Buyer):
        client = self.client
        on_host(client, buyer.host)
        client.cookies.clear()
        if buyer.email in self.sessions:
            client.cookies.set("shomei_session", self.sessions[buyer.email])
        else:
            signed = await sign_in(client, "portal", buyer.email)
            assert signed.status_code == 303, signed.text
            self.sessions[buyer.email] = client.cookies.get("shomei_session") or ""
        return client


def portal_id_routes(app) -> list[tuple[str, list[str]]]:
    """(path, methods) of every portal route that takes an id, from the app's route table."""
    found = []
    for route in app.routes:
        if route.path.startswith("/portal") and "{" in route.path:
            methods = sorted(
                m for m in getattr(route, "methods", {"GET"}) if m not in {"HEAD", "OPTIONS"}
            )
            found.append((route.path, methods))
    return found


async def _request(client, method: str, url: str):
    if method == "GET":
        return await client.get(url)
    token = csrf_of((await client.get("/portal/")).text)
    return await client.request(method, url, data={"csrf_token": token})


async def test_another_customers_objects_are_not_found_on_every_portal_id_route(app, buyers):
    a, b, c = buyers
    async with browser(app, a.host) as client:
        browsers = Browsers(client)
        routes = portal_id_routes(app)
        assert {path for path, _ in routes} >= {
            "/portal/orders/{order_id:int}",
            "/portal/invoices/{invoice_id:int}/pdf",
            "/portal/certificates/{entitlement_id:int}",
            "/portal/certificates/{entitlement_id:int}/download",
            "/portal/certificates/{entitlement_id:int}/reissue",
            "/portal/certificates/{entitlement_id:int}/revoke",
        }
        walked = []
        for path, methods in routes:
            params = PARAM.findall(path)
            unknown = [p for p in params if p not in a.ids]
            assert not unknown, f"{path}: teach this test to create a {unknown} object"
            mine = PARAM.sub(lambda m: str(a.ids[m.group(1)]), path)
            missing = PARAM.sub(lambda m: str(MISSING_ID), path)
            for method in methods:
                for intruder in (b, c):  # same tenant, other tenant
                    as_intruder = await browsers.as_buyer(intruder)
                    absent = await _request(as_intruder, method, missing)
                    foreign = await _request(as_intruder, method, mine)
                    assert absent.status_code == 404, f"{method} {path}: {absent.text}"
                    assert foreign.status_code == 404, f"{method} {path} as {intruder.email}"
                    assert foreign.text == absent.text, f"{method} {path}: tells them apart"
                    assert str(a.invoice_number) not in foreign.text
                owner = await browsers.as_buyer(a)
                allowed = await _request(owner, method, mine)
                # a form posted empty is answered (re-shown with its errors), never a 404
                expected = {200} if method == "GET" else {200, 303, 400}
                assert allowed.status_code in expected, f"{method} {path}: {allowed.text[:500]}"
                walked.append((method, path))
        assert len(walked) >= 2, walked


async def test_lists_show_only_the_customers_own_objects(app, buyers):
    a, b, c = buyers
    async with browser(app, a.host) as client:
        browsers = Browsers(client)
        for me, others in ((a, (b, c)), (b, (a, c)), (c, (a, b))):
            page = await browsers.as_buyer(me)
            orders = (await page.get("/portal/orders?lang=en")).text
            invoices = (await page.get("/portal/invoices?lang=en")).text
            assert f'href="/portal/orders/{me.order_id}"' in orders
            assert f'href="/portal/invoices/{me.invoice_id}/pdf"' in invoices
            assert me.invoice_number in invoices
            for other in others:
                assert f'href="/portal/orders/{other.order_id}"' not in orders
                assert f'href="/portal/invoices/{other.invoice_id}/pdf"' not in invoices
                if other.host == me.host:  # numbers restart per tenant
                    assert other.invoice_number not in invoices


async def test_order_page_shows_lines_tax_per_rate_and_payment_status(app, buyers):
    a, _, _ = buyers
    async with browser(app, a.host) as client:
        page = await Browsers(client).as_buyer(a)
        listed = (await page.get("/portal/orders?lang=ja")).text
        assert "入金待ち" in listed
        # 3 x (10,000 + 2 x 500) = 33,000, plus 10% tax 3,300 = 36,300
        assert "36,300円" in listed
        detail = await page.get(f"/portal/orders/{a.order_id}?lang=ja")
        assert detail.status_code == 200
        html = detail.text
        assert "ssl-ov-1 証明書" in html and "2年" in html
        assert "11,000円" in html and "33,000円" in html
        assert "消費税 10%（対象 33,000円）" in html  # noqa: RUF001 and "3,300円" in html
        assert "入金待ち" in html  # payments.status.awaiting
        assert f'href="/portal/invoices/{a.invoice_id}/pdf"' in html
        english = (await page.get(f"/portal/orders/{a.order_id}?lang=en")).text
        assert "ssl-ov-1 certificate" in english and "¥36,300" in english
        assert "Awaiting payment" in english


async def test_invoice_pdf_is_the_customers_invoice(app, buyers):
    a, _, _ = buyers
    async with browser(app, a.host) as client:
        page = await Browsers(client).as_buyer(a)
        pdf = await page.get(f"/portal/invoices/{a.invoice_id}/pdf")
        assert pdf.status_code == 200
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")
        assert f'filename="{a.invoice_number}.pdf"' in pdf.headers["content-disposition"]
        assert pdf.headers["cache-control"] == "no-store"


async def test_portal_pages_need_a_signed_in_customer(app, buyers):
    a, _, _ = buyers
    async with browser(app, a.host) as client:
        for url in (
            "/portal/orders",
            f"/portal/orders/{a.order_id}",
            "/portal/invoices",
            f"/portal/invoices/{a.invoice_id}/pdf",
        ):
            response = await client.get(url)
            assert response.status_code == 303, url
            # the sign-in page brings the customer back to the page asked for
            assert response.headers["location"] == "/portal/login?" + urlencode({"next": url})


async def test_portal_pages_render_in_both_languages_without_missing_ids(app, buyers):
    a, _, _ = buyers
    assert not missing_translations(app.state.web.catalogs)
    async with browser(app, a.host) as client:
        page = await Browsers(client).as_buyer(a)
        for lang in ("ja", "en"):
            for url in (
                "/portal/",
                "/portal/orders",
                f"/portal/orders/{a.order_id}",
                "/portal/invoices",
                f"/portal/orders/{MISSING_ID}",
            ):
                response = await page.get(url, params={"lang": lang})
                assert response.status_code in (200, 404), url
                assert f'<html lang="{lang}">' in response.text
                assert not re.search(r"\[[a-z_]+(\.[a-z_0-9]+)+\]", response.text), (
                    f"{url} ({lang}) shows a missing message id"
                )
