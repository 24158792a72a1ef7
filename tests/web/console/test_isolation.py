"""Tenant B's staff get 404 on tenant A's ids, on every console route that takes an id.

The walk collects the routes from the app's route table, so a new one is covered without
editing this test, as long as its id parameter names a kind of object ``world.make_tenant``
creates (``Tenant.ids``); otherwise the test asks to be taught the new kind. Routes under
``OBJECTS_ELSEWHERE`` (objects this world cannot make, such as DigiCert voucher orders, which
need the DigiCert sandbox) get the missing-id check here; their foreign-id check lives in the
test named there."""

from __future__ import annotations

import re

from tests.web.browser import browser, csrf_of
from tests.web.console.world import Sessions

PARAM = re.compile(r"{(\w+):int}")  # ids; {kind:str}/{code:str} (plugin codes) are not
MISSING_ID = 987_654_321
FORMS = {
    "/console/staff/{staff_id:int}/role": {"role": "support"},
    "/console/invoices/{invoice_id:int}/void": {"reason": "walk"},
    "/console/products/{product_id:int}/price": {"term_months": "12", "base": "12000"},
}
"""A valid form for POST routes that check their input before looking the id up."""
OBJECTS_ELSEWHERE = {
    "/console/vouchers/": "tests/web/console_settings/test_voucher_pages.py",
}


def console_id_routes(app) -> list[tuple[str, list[str]]]:
    """(path, methods) of every console route that takes an id, from the app's route table."""
    found = []
    for route in app.routes:
        if route.path.startswith("/console") and PARAM.search(route.path):
            methods = sorted(
                m for m in getattr(route, "methods", {"GET"}) if m not in {"HEAD", "OPTIONS"}
            )
            found.append((route.path, methods))
    return found


async def _request(client, method: str, url: str, form: dict[str, str] | None = None):
    if method == "GET":
        return await client.get(url, params={"lang": "en"})
    token = csrf_of((await client.get("/console/")).text)
    return await client.request(method, url, data={**(form or {}), "csrf_token": token})


async def test_another_tenants_objects_are_not_found_on_every_console_id_route(app, tenants):
    a, b = tenants
    async with browser(app, a.host) as client:
        sessions = Sessions(client)
        routes = console_id_routes(app)
        assert {path for path, _ in routes} >= {
            "/console/orders/{order_id:int}",
            "/console/quotes/{quote_id:int}",
            "/console/quotes/{quote_id:int}/pdf",
            "/console/customers/{customer_id:int}",
            "/console/invoices/{invoice_id:int}",
            "/console/invoices/{invoice_id:int}/pdf",
            "/console/invoices/{invoice_id:int}/void",
            "/console/transfers/lines/{line_id:int}",
            "/console/transfers/lines/{line_id:int}/resolve",
        }
        walked = []
        for path, methods in routes:
            params = PARAM.findall(path)
            if path.startswith(tuple(OBJECTS_ELSEWHERE)):
                missing = PARAM.sub(lambda m: str(MISSING_ID), path)
                for method in methods:
                    intruder = await sessions.as_staff(b, "owner")
                    absent = await _request(intruder, method, missing)
                    assert absent.status_code == 404, f"{method} {path}: {absent.text[:300]}"
                    walked.append((method, path))
                continue
            unknown = [p for p in params if p not in a.ids]
            assert not unknown, f"{path}: teach world.make_tenant to create a {unknown} object"
            mine = PARAM.sub(lambda m: str(a.ids[m.group(1)]), path)
            missing = PARAM.sub(lambda m: str(MISSING_ID), path)
            for method in methods:
                intruder = await sessions.as_staff(b, "owner")  # B's owner: every permission
                form = FORMS.get(path)
                absent = await _request(intruder, method, missing, form)
                foreign = await _request(intruder, method, mine, form)
                assert absent.status_code == 404, f"{method} {path}: {absent.text[:300]}"
                assert foreign.status_code == 404, f"{method} {path}: {foreign.text[:300]}"
                assert foreign.text == absent.text, f"{method} {path}: tells them apart"
                owner = await sessions.as_staff(a, "owner")
                allowed = await _request(owner, method, mine, form)
                assert allowed.status_code != 404, f"{method} {path}: {allowed.text[:300]}"
                assert allowed.status_code < 500, f"{method} {path}: {allowed.text[:300]}"
                if method == "GET":
                    assert allowed.status_code == 200, f"{path}: {allowed.text[:300]}"
                walked.append((method, path))
        assert len(walked) >= 9, walked


async def test_lists_and_csv_never_show_another_tenants_rows(app, tenants):
    a, b = tenants
    async with browser(app, a.host) as client:
        page = await Sessions(client).as_staff(b, "owner")
        for path, link in (
            ("/console/orders", "/console/orders/{order_id}"),
            ("/console/quotes", "/console/quotes/{quote_id}"),
            ("/console/customers", "/console/customers/{customer_id}"),
            ("/console/invoices", "/console/invoices/{invoice_id}"),
            ("/console/transfers", "/console/transfers/lines/{line_id}"),
        ):
            html = (await page.get(path)).text
            assert f'href="{link.format(**b.ids)}"' in html, path
            assert f'href="{link.format(**a.ids)}"' not in html, path
            exported = (await page.get(path, params={"export": "csv"})).content.decode("utf-8-sig")
            assert len(exported.strip().splitlines()) == 2, f"{path}: {exported}"
        mail = (await page.get("/console/mail", params={"export": "csv"})).content
        assert mail.decode("utf-8-sig").count("billing@example.jp") == 1
