"""The console list helper through the orders list: tenant scope, filters, sort, pages, CSV."""

from __future__ import annotations

import csv
import io

from core.clock import FrozenClock
from core.context import tenant_scope
from core.i18n import Translator
from tenants.tables import AuditEntry
from tests.tenants.helpers import staff_context
from tests.web.browser import START, browser
from tests.web.console.world import Sessions
from web.console.listing import Column, Filter, Formatter, ListSpec, fetch_page, parse_query
from web.i18n import web_catalogs


async def test_orders_list_filters_sorts_and_exports_csv(app, tenants):
    a, b = tenants
    async with browser(app, a.host) as client:
        sessions = Sessions(client)
        page = await sessions.as_staff(a)
        listed = await page.get("/console/orders?lang=en")
        assert listed.status_code == 200, listed.text
        assert f'href="/console/orders/{a.ids["order_id"]}"' in listed.text
        assert f'href="/console/orders/{b.ids["order_id"]}"' not in listed.text
        assert "¥36,300" in listed.text and "Awaiting payment" in listed.text
        none = await page.get("/console/orders?lang=en&state=paid")
        assert f'href="/console/orders/{a.ids["order_id"]}"' not in none.text
        assert "Nothing matches." in none.text
        bad = await page.get("/console/orders?lang=en&from=22-11-2026")
        assert "Enter the date as YYYY-MM-DD." in bad.text
        assert 'value="22-11-2026"' in bad.text
        for odd in ("to=9999-12-31", "customer=99999999999999", "customer=%C2%B2"):
            shown = await page.get(f"/console/orders?lang=en&{odd}")
            assert shown.status_code == 200, f"{odd}: {shown.text[:300]}"
            assert 'class="field-error"' in shown.text, odd
            assert f'href="/console/orders/{a.ids["order_id"]}"' in shown.text  # not filtered
        sorted_ = await page.get("/console/orders?lang=en&sort=total")
        assert 'aria-sort="ascending"' in sorted_.text
        exported = await page.get("/console/orders?lang=ja&export=csv&state=awaiting_payment")
        assert exported.status_code == 200
        assert exported.headers["content-type"] == "text/csv; charset=utf-8"  # one charset
        assert exported.headers["x-content-type-options"] == "nosniff"
        assert 'filename="orders-20261122.csv"' in exported.headers["content-disposition"]
        assert exported.content.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(exported.content[3:].decode("utf-8"))))
        assert rows[0] == ["注文番号", "注文日時", "顧客", "支払い方法", "状態", "合計（税込）"]  # noqa: RUF001
        assert rows[1:] == [
            ["ORD-2026-000001", "2026-11-22 18:00", "お客様株式会社", "銀行振込",
             "入金待ち", "36300"],
        ]  # fmt: skip
        assert exported.content.count(b"\r\n") == 2
        empty = await page.get("/console/orders?export=csv&state=paid")
        assert empty.content.count(b"\r\n") == 1


async def test_pages_keep_filters_and_sort_and_never_overlap(tenants):
    a, _ = tenants
    spec = ListSpec(
        name="audit",
        table=AuditEntry,
        columns=(Column("action", "web.console.audit.action", sortable=True),),
        filters=(Filter.contains("action", (AuditEntry.action,), "web.console.audit.action"),),
        per_page=2,
    )
    ctx = staff_context(a.shop.tenant, a.shop.owner_id, FrozenClock(START))
    fmt = Formatter(Translator(web_catalogs(), "en"), "Asia/Tokyo")
    with tenant_scope(a.shop.tenant):
        total = await AuditEntry.count().where(AuditEntry.tenant_id == a.shop.tenant.id)
        assert total >= 5
        seen: list[int] = []
        for number in range(1, 10):
            query = parse_query(spec, {"page": str(number), "sort": "action", "lang": "en"})
            listing = await fetch_page(spec, query, ctx, fmt)
            assert listing.total == total and listing.pages == -(-total // 2)
            if number > listing.pages:
                assert listing.page == listing.pages  # past the end: the last page
                break
            seen += [row.row["id"] for row in listing.rows]
        assert sorted(seen) == sorted(
            r["id"]
            for r in await AuditEntry.select(AuditEntry.id).where(
                AuditEntry.tenant_id == a.shop.tenant.id
            )
        )
        query = parse_query(spec, {"page": "2", "sort": "-nonsense", "action": "staff"})
        assert query.sort == "-id"  # not whitelisted: the default
        listing = await fetch_page(spec, query, ctx, fmt)
        assert listing.total == 4  # four staff.added entries
        assert listing.page_url(1) == "?action=staff&sort=-id"
        assert listing.csv_url == "?action=staff&sort=-id&export=csv"
        assert listing.headers[0].href == "?action=staff&sort=action"
