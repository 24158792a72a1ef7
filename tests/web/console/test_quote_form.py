"""Staff create a quote from the console (issue 14, journey 7): customer, product lines and the
validity the quote gets; a customer of another tenant or an id nobody has is refused naming
the field, nothing saved; rows without a product are left out; roles that may not place
orders get 403."""

from __future__ import annotations

import pytest

from core.catalog.products import save_product
from core.catalog.retail import set_retail_price
from core.context import tenant_scope
from core.contracts.common import Price, ProductSpec
from core.orders.tables import Quote, QuoteLine
from tenants.credentials import Keyring
from tenants.provider_accounts import save_account
from tests.core.orders.helpers import DigiTestProvider, TestPlugin
from tests.tenants.helpers import staff_context
from tests.web.browser import browser, browser_settings, csrf_of, make_app
from tests.web.console.world import Sessions

NEW = "/console/quotes/new"


@pytest.fixture
def app(tmp_path, database, clock):
    """The console with the test provider the world's products are sold through."""
    return make_app(browser_settings(tmp_path, database), clock=clock, plugins=[TestPlugin()])


async def _sold_product(app, tenant, clock) -> int:
    """A product of ``tenant`` sold through a saved account of the test provider (the world's
    products use a stand-in account the app does not know)."""
    ctx = staff_context(tenant.shop.tenant, tenant.shop.owner_id, clock)
    keyring = Keyring.from_settings(app.state.web.settings)
    spec = ProductSpec(
        code="ssl-ov-quote", name_ja="企業認証SSL", name_en="OV SSL", kind="ssl",
        validation="ov", terms_months=(12, 24), max_fqdns=250, max_wildcards=250,
    )  # fmt: skip
    with tenant_scope(tenant.shop.tenant):
        account = await save_account(ctx, keyring, "provider", DigiTestProvider.code, {}, {})
        product = await save_product(ctx, account.id, DigiTestProvider.code, spec)
        for term in product.terms_months:
            await set_retail_price(ctx, product.id, term, Price(10_000, 1_000, 5_000))
    return product.id


def _form(token: str, product: int, customer: int | str, **extra: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "customer_id": str(customer),
        "title": "新サイト用SSL",
        "memo": "値引き相談中",
        "lines-0-product": "",  # an empty row is left out
        "lines-1-product": str(product),
        "lines-1-term": "24",
        "lines-1-quantity": "\uff12",  # a full-width 2 is accepted
        "lines-1-fqdns": "1",
        "lines-1-wildcards": "0",
        **extra,
    }


async def _quotes(tenant) -> list[dict]:
    with tenant_scope(tenant.shop.tenant):
        return await Quote.select().where(Quote.tenant_id == tenant.shop.tenant.id).run()


async def test_staff_create_a_quote_for_their_customer(app, tenants, clock):
    a, _ = tenants
    product = await _sold_product(app, a, clock)
    async with browser(app, a.host) as client:
        owner = await Sessions(client).as_staff(a, "owner")
        listing = await owner.get("/console/quotes", params={"lang": "ja"})
        assert 'href="/console/quotes/new"' in listing.text and "見積りを作成する" in listing.text
        shown = await owner.get(NEW, params={"lang": "ja"})
        assert shown.status_code == 200
        assert f'<option value="{product}"' in shown.text
        assert f'<option value="{a.ids["customer_id"]}"' in shown.text
        assert "30日以内の" in shown.text and 'id="validity"' in shown.text
        more = await owner.post(NEW, data={"csrf_token": csrf_of(shown.text), "action": "add_line"})
        assert more.status_code == 200 and 'id="lines-3-product"' in more.text
        before = len(await _quotes(a))
        saved = await owner.post(
            NEW, data=_form(csrf_of(shown.text), product, a.ids["customer_id"])
        )
        assert saved.status_code == 303, saved.text
        location = saved.headers["location"]
        quote_id = int(location.split("/console/quotes/")[1].split("?")[0])
        page = await owner.get(location + "&lang=ja")
        number = f"Q-{quote_id:06d}"
        assert f"見積り {number} を保存しました。" in page.text
        assert "新サイト用SSL" in page.text and a.customer_name in page.text
        en = await owner.get(f"/console/quotes/{quote_id}", params={"lang": "en"})
        assert number in en.text
    quotes = await _quotes(a)
    assert len(quotes) == before + 1
    quote = next(q for q in quotes if q["id"] == quote_id)
    assert quote["customer_id"] == a.ids["customer_id"] and quote["memo"] == "値引き相談中"
    with tenant_scope(a.shop.tenant):
        lines = await QuoteLine.select().where(QuoteLine.quote == quote_id).run()
    assert [(x["quantity"], x["term_months"], x["fqdns"]) for x in lines] == [(2, 24, 1)]


async def test_another_tenants_customer_a_missing_one_and_no_product_are_refused(
    app, tenants, clock
):
    a, b = tenants
    product = await _sold_product(app, a, clock)
    async with browser(app, a.host) as client:
        sessions = Sessions(client)
        owner = await sessions.as_staff(a, "owner")
        token = csrf_of((await owner.get(NEW)).text)
        before = len(await _quotes(a))
        for customer in (b.ids["customer_id"], 987_654_321, "abc"):
            refused = await owner.post(
                NEW,
                data=_form(token, product, customer),
                params={"lang": "en"},
            )
            assert refused.status_code == 422, refused.text
            assert 'id="customer_id-error"' in refused.text
            assert "No such customer" in refused.text
            assert 'value="新サイト用SSL"' in refused.text  # what was typed is kept
        empty = await owner.post(
            NEW,
            data={**_form(token, product, ""), "lines-1-product": ""},
            params={"lang": "ja"},
        )
        assert empty.status_code == 422 and "商品を1つ以上選んでください。" in empty.text
        foreign_product = await owner.post(
            NEW, data=_form(token, b.ids["product_id"], ""), params={"lang": "en"}
        )
        assert foreign_product.status_code == 422
        assert 'id="lines-1-product-error"' in foreign_product.text
        assert len(await _quotes(a)) == before
        for role in ("read_only", "finance"):
            viewer = await sessions.as_staff(a, role)
            assert (await viewer.get(NEW)).status_code == 403
            listing = await viewer.get("/console/quotes")
            assert 'href="/console/quotes/new"' not in listing.text
