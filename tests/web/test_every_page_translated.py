"""Every browser page of the app, in Japanese and in English: none answers 500 and none shows
an untranslated ``[message.id]`` (``core.i18n.Translator`` renders an unknown id that way).

The walk (``tests/web/page_walk.py``) visits every GET route of the app's route table outside
``/api/`` and ``/webhooks/`` with real ids of one tenant, signed in by the area's person and as
a visitor signed in nowhere.

``tests/web/console/test_pages.py`` and ``tests/web/test_portal.py`` check their own areas'
pages in both languages with roles and owners; this walk covers the whole route table.
"""

from __future__ import annotations

from core.i18n import missing_translations
from tests.web.browser import browser, on_host
from tests.web.console.test_pages import MISSING_ID
from tests.web.console.world import Tenant
from tests.web.page_walk import (  # noqa: F401  (fixtures)
    app,
    fill,
    page_routes,
    settings,
    start_walk,
    token_server,
    upstream,
    world,
)

UNAVAILABLE = {
    "ja": "このお支払い方法は現在ご利用いただけません。",
    "en": "This payment method cannot be used at the moment.",
}


async def test_every_page_in_both_languages_has_no_missing_message_and_no_500(
    app,  # noqa: F811
    settings,  # noqa: F811
    world: Tenant,  # noqa: F811
    upstream,  # noqa: F811
):
    assert not missing_translations(app.state.web.catalogs)
    shop = world.shop
    async with browser(app, shop.host) as client:
        walk = await start_walk(client, settings, world, upstream.clock)
        walked = []
        async for visit in walk.visits(app):
            response, where = visit.response, visit.where
            assert response.status_code != 500, f"{where}: {response.text[:500]}"
            kind = response.headers.get("content-type", "")
            if kind.startswith(("text/", "application/json")):
                found = MISSING_ID.search(response.text)
                assert not found, f"{where} shows {found.group(0) if found else ''}"
            if visit.is_html and response.status_code == 200:
                assert f'<html lang="{visit.lang}">' in response.text, where
            if visit.signed_in:
                walked.append((visit.path, response.status_code))
        # a bank-transfer order of a shop without a bank account: said so, not a 500
        ids = walk.ids
        on_host(client, shop.host)
        client.cookies.clear()
        client.cookies.set("shomei_session", walk.customer)
        pay = await client.get(f"/shop/orders/{ids['order_id']}/pay")
        assert pay.headers["location"] == f"/shop/orders/{ids['order_id']}?payment=unavailable"
        for lang, text in UNAVAILABLE.items():
            told = await client.get(f"{pay.headers['location']}&lang={lang}")
            assert text in told.text, lang
    pages = {path for path, status in walked if status == 200}
    assert {
        "/console/vouchers/{order_id:int}",
        "/digicert/certificates/{redemption_id:int}",
        "/portal/certificates/{entitlement_id:int}",
        "/operator/tenants/{tenant_id:int}",
    } <= pages, sorted(walked)
