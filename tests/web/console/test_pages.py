"""Every console business page: rendered in Japanese and English for a role that may open it,
403 for a role that may not, and never an untranslated message id."""

from __future__ import annotations

import re
from datetime import timedelta

from core.context import tenant_scope
from core.entitlements.tables import Entitlement
from core.i18n import missing_translations
from tenants.roles import Permission, can
from tenants.tables import StaffUser
from tests.web.browser import browser
from tests.web.console.world import ROLES, Sessions, Tenant

P = Permission
PAGES: dict[str, Permission | None] = {
    "/console/": None,
    "/console/orders": P.ORDERS_VIEW,
    "/console/orders/{order_id}": P.ORDERS_VIEW,
    "/console/quotes": P.ORDERS_VIEW,
    "/console/quotes/{quote_id}": P.ORDERS_VIEW,
    "/console/customers": P.CUSTOMERS_VIEW,
    "/console/customers/{customer_id}": P.CUSTOMERS_VIEW,
    "/console/invoices": P.INVOICES_VIEW,
    "/console/invoices/{invoice_id}": P.INVOICES_VIEW,
    "/console/transfers": P.PAYMENTS_MANAGE,
    "/console/transfers/lines/{line_id}": P.PAYMENTS_MANAGE,
    "/console/audit": P.AUDIT_VIEW,
    "/console/mail": P.CUSTOMERS_VIEW,
}
"""Page → the permission it needs (docs/roles.md); PDFs are checked in test_documents.py."""

MISSING_ID = re.compile(r"\[[a-z_]+(\.[a-z_0-9]+)+\]")


def url(path: str, tenant: Tenant) -> str:
    return path.format(**tenant.ids)


async def test_each_role_opens_the_pages_it_may_and_gets_403_elsewhere(app, tenants):
    a, _ = tenants
    forbidden = 0
    async with browser(app, a.host) as client:
        sessions = Sessions(client)
        for role in ROLES:
            page = await sessions.as_staff(a, role)
            for path, permission in PAGES.items():
                allowed = permission is None or can(role, permission)
                response = await page.get(url(path, a), params={"lang": "en"})
                expected = 200 if allowed else 403
                assert response.status_code == expected, f"{role} {path}: {response.text[:300]}"
                if not allowed:
                    forbidden += 1
                    assert "You may not open this page" in response.text
                    assert "Your role (" in response.text
    assert forbidden == 6  # support and read_only: transfers (2 pages) and the audit log


async def test_the_navigation_lists_only_what_the_role_may_open(app, tenants):
    a, _ = tenants
    async with browser(app, a.host) as client:
        sessions = Sessions(client)
        finance = (await (await sessions.as_staff(a, "finance")).get("/console/?lang=en")).text
        assert 'href="/console/transfers"' in finance and 'href="/console/audit"' in finance
        support = (await (await sessions.as_staff(a, "support")).get("/console/?lang=en")).text
        assert 'href="/console/transfers"' not in support
        assert 'href="/console/audit"' not in support
        assert 'href="/console/orders"' in support
        assert "Support" in support and 'action="/console/logout"' in support
        assert 'href="?lang=ja"' in support  # the language switch


async def test_every_page_renders_in_both_languages_without_missing_ids(app, tenants):
    a, _ = tenants
    assert not missing_translations(app.state.web.catalogs)
    extra = [
        "/console/orders?from=not-a-date",  # a filter error
        "/console/orders?state=nonsense",
        "/console/orders/987654321",  # the 404 page
    ]
    async with browser(app, a.host) as client:
        sessions = Sessions(client)
        owner = await sessions.as_staff(a)
        for lang in ("ja", "en"):
            for path in [*PAGES, *extra]:
                response = await owner.get(url(path, a), params={"lang": lang})
                assert response.status_code in (200, 404), f"{path}: {response.text[:300]}"
                assert f'<html lang="{lang}">' in response.text
                found = MISSING_ID.search(response.text)
                assert not found, f"{path} ({lang}) shows {found.group(0) if found else ''}"
        support = await sessions.as_staff(a, "support")
        for lang in ("ja", "en"):
            refused = await support.get("/console/audit", params={"lang": lang})
            assert refused.status_code == 403
            assert not MISSING_ID.search(refused.text), refused.text


async def _entitlement(tenant: Tenant, clock, state: str, days: int | None) -> None:
    now = clock.now()
    with tenant_scope(tenant.shop.tenant):
        await Entitlement(
            tenant_id=tenant.shop.tenant.id,
            customer_id=tenant.ids["customer_id"],
            order_id=tenant.ids["order_id"],
            provider_code="test",
            product_code="ssl-ov",
            state=state,
            expires_at=None if days is None else now + timedelta(days=days),
            created_at=now,
            updated_at=now,
        ).save()


async def test_dashboard_shows_the_months_figures(app, tenants, clock):
    a, b = tenants
    await _entitlement(a, clock, "issued", 10)  # counted
    await _entitlement(a, clock, "active", 29)  # counted
    await _entitlement(a, clock, "issued", 31)  # later
    await _entitlement(a, clock, "revoked", 5)  # not live
    await _entitlement(a, clock, "issued", -1)  # already expired
    await _entitlement(a, clock, "pending", None)
    await _entitlement(b, clock, "issued", 3)  # another tenant's
    async with browser(app, a.host) as client:
        page = await Sessions(client).as_staff(a, "read_only")
        html = (await page.get("/console/?lang=ja")).text
        assert '<p class="figure" id="figure-orders">1</p>' in html
        assert '<p class="figure" id="figure-revenue">0円</p>' in html  # nothing paid yet
        assert '<p class="figure" id="figure-waiting">1</p>' in html
        assert "合計 36,300円" in html
        assert '<p class="figure" id="figure-expiring">2</p>' in html


async def test_detail_pages_show_lines_contacts_and_payment(app, tenants):
    a, _ = tenants
    async with browser(app, a.host) as client:
        page = await Sessions(client).as_staff(a, "support")
        order = (await page.get(url("/console/orders/{order_id}", a), params={"lang": "ja"})).text
        assert "入金待ち" in order and "36,300円" in order and "33,000円" in order
        assert "消費税 10%（対象 33,000円）" in order  # noqa: RUF001
        assert f'href="/console/customers/{a.ids["customer_id"]}"' in order
        assert f'href="/console/invoices/{a.ids["invoice_id"]}"' in order
        customer = (await page.get(url("/console/customers/{customer_id}", a))).text
        assert "経理 花子" in customer and "billing@example.jp" in customer
        assert "事務担当者" in customer and a.shop.customer_email in customer
        quote = (await page.get(url("/console/quotes/{quote_id}", a), params={"lang": "en"})).text
        assert f"Q-{a.ids['quote_id']:06d}" in quote and "見積り件名テスト" in quote
        assert f'href="/console/quotes/{a.ids["quote_id"]}/pdf"' in quote


async def test_a_disabled_staff_member_is_refused_on_every_page(app, tenants):
    a, _ = tenants
    async with browser(app, a.host) as client:
        page = await Sessions(client).as_staff(a, "read_only")
        assert (await page.get("/console/orders")).status_code == 200
        with tenant_scope(a.shop.tenant):
            await StaffUser.update({StaffUser.active: False}).where(
                StaffUser.email == a.staff["read_only"]
            )
        for lang, text in (("en", "This account has been disabled."), ("ja", "無効になっています")):
            for path in ("/console/", "/console/orders"):
                refused = await page.get(path, params={"lang": lang})
                assert refused.status_code == 403 and text in refused.text, path
                assert not MISSING_ID.search(refused.text) and "{role}" not in refused.text
