"""Voucher pages of the console (plugins/digicert/console.py) against the DigiCert sandbox:
the form and its refusals, generation, codes, PDF and CSV downloads, cancel, reissue, roles,
another tenant's ids, and delegated delivery by an operator with the owner's consent."""

from __future__ import annotations

import re
import subprocess

import pytest

from core.context import tenant_scope
from plugins.digicert.tables import DcVoucherCode, DcVoucherOrder
from tenants.audit import list_audit
from tenants.delegation import grant_consent
from tenants.tables import Tenant
from tests.plugins.digicert.shop import forget_account, make_shop
from tests.tenants.helpers import staff_context
from tests.web.browser import BASE, browser, browser_settings, make_app, make_operator, on_host
from tests.web.browser import sign_in as sign_in_area
from tests.web.console_settings.people import Sessions, make_team, post

NEW = "/console/vouchers/new"
LINE = {
    "customer_name": "株式会社サンプル",
    "notes": "代理店経由",
    "payment_method": "bank_transfer",
    "lines-0-quantity": "2",
    "lines-0-product": "ssl_basic",
    "lines-0-years": "1",
    "lines-0-fqdns": "1",
    "lines-0-wildcards": "0",
}


@pytest.fixture
def settings(tmp_path, database):
    return browser_settings(tmp_path, database)


@pytest.fixture
def app(settings, upstream):
    return make_app(settings, clock=upstream.clock)


@pytest.fixture
async def teams(settings, upstream):
    shops = [await make_shop(settings, upstream.clock, upstream.api_url) for _ in range(2)]
    made = [await make_team(s.tenant, s.owner_id, upstream.clock) for s in shops]
    yield made
    for shop in shops:
        await forget_account(shop)


async def _place(client, data: dict[str, str] | None = None):
    return await post(client, NEW, NEW, {**LINE, **(data or {}), "action": "place"})


async def _codes(order_id: int) -> list[str]:
    rows = await DcVoucherCode.select(DcVoucherCode.value).where(
        (DcVoucherCode.voucher_order_id == order_id) & (DcVoucherCode.status == "active")
    )
    return sorted(row["value"] for row in rows)


def _pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "vouchers.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


async def test_form_in_both_languages_and_refusal_keeps_input(app, teams):
    a, _ = teams
    async with browser(app, a.host) as client:
        me = await Sessions(client).as_(a, "owner")
        ja = await me.get(NEW + "?lang=ja")
        assert ja.status_code == 200
        assert "新しいバウチャーを追加する" in ja.text and "ベーシックOV" in ja.text
        assert "取引概要" in ja.text and "バウチャー購入前のアカウント残高" in ja.text
        en = await me.get(NEW + "?lang=en")
        assert "Add new vouchers" in en.text and "Basic OV" in en.text
        refused = await _place(me, {"lines-0-quantity": "1001"})
        assert refused.status_code == 400
        assert 'value="株式会社サンプル"' in refused.text and 'value="1001"' in refused.text
        assert 'id="lines-0-quantity-error"' in refused.text
        assert "Quantity" in refused.text or "数量" in refused.text
        client.cookies.set("lang", "ja")
        ja_refused = await _place(me, {"lines-0-wildcards": "251"})
        assert "ワイルドカード数は0\uff5e250の範囲で指定してください。" in ja_refused.text
        assert 'aria-invalid="true"' in ja_refused.text
        quoted = await post(me, NEW, NEW, {**LINE, "action": "quote"})
        assert quoted.status_code == 200 and "35,200円" in quoted.text  # 2 x 17,600
    assert await DcVoucherOrder.count().where(DcVoucherOrder.tenant_id == a.tenant.id) == 0


async def test_incomplete_billing_contact_is_refused_with_the_seeds_message(app, teams):
    a, _ = teams
    await Tenant.update({Tenant.organization_name: ""}).where(Tenant.id == a.tenant.id)
    async with browser(app, a.host) as client:
        me = await Sessions(client).as_(a, "owner")
        client.cookies.set("lang", "en")
        refused = await _place(me)
        assert refused.status_code == 400
        assert "organization_name is a required parameter" in refused.text
        assert 'value="株式会社サンプル"' in refused.text
    assert await DcVoucherOrder.count().where(DcVoucherOrder.tenant_id == a.tenant.id) == 0


async def test_generate_download_cancel_and_reissue(app, teams, tmp_path):
    a, _ = teams
    async with browser(app, a.host) as client:
        me = await Sessions(client).as_(a, "support")
        placed = await _place(me)
        assert placed.status_code == 303, placed.text
        detail_path = placed.headers["location"].split("?")[0]
        order_id = int(detail_path.rsplit("/", 1)[1])
        codes = await _codes(order_id)
        assert len(codes) == 2
        detail = await me.get(detail_path + "?lang=ja")
        assert all(code in detail.text for code in codes)
        assert "バウチャーを再発行する" in detail.text and "キャンセルする" in detail.text
        for lang, words in (("ja", "バウチャーコード"), ("en", "Voucher")):
            pdf = await me.get(f"{detail_path}/pdf?lang={lang}")
            assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
            text = _pdf_text(pdf.content, tmp_path)
            assert all(code in text for code in codes) and words in text
        listing = await me.get("/console/vouchers?lang=ja")
        assert "株式会社サンプル" in listing.text and "発行済" in listing.text
        orders_csv = await me.get("/console/vouchers/orders.csv?status=completed")
        assert orders_csv.content.startswith(b"\xef\xbb\xbf")
        assert "株式会社サンプル" in orders_csv.content.decode("utf-8-sig")
        codes_csv = (await me.get(f"{detail_path}/codes.csv")).content.decode("utf-8-sig")
        assert all(code in codes_csv for code in codes)
        used = (await me.get("/console/vouchers/used-codes.csv")).content.decode("utf-8-sig")
        assert used.startswith("id,value,product_name") and codes[0] not in used

        code_id = (
            await DcVoucherCode.select(DcVoucherCode.id)
            .where((DcVoucherCode.value == codes[0]) & (DcVoucherCode.voucher_order_id == order_id))
            .first()
        )["id"]
        reissue = f"/console/vouchers/codes/{code_id}/reissue"
        asked = await post(me, detail_path, reissue + "?lang=ja", {})
        assert (
            asked.status_code == 409 and f"バウチャーコード {codes[0]} を再発行します" in asked.text
        )
        assert codes[0] in await _codes(order_id)  # not reissued yet
        reissued = await post(me, detail_path, reissue, {"confirm": "yes"})
        assert reissued.status_code == 303
        fresh = await _codes(order_id)
        assert codes[0] not in fresh and codes[1] in fresh and len(fresh) == 2
        page = await me.get(detail_path)
        assert codes[0] not in page.text and all(code in page.text for code in fresh)

        asked = await post(me, detail_path, f"{detail_path}/cancel?lang=ja", {"reason": "誤発注"})
        assert asked.status_code == 409 and "をキャンセルします" in asked.text
        assert 'name="reason" value="誤発注"' in asked.text
        assert "Canceled" not in (await me.get(detail_path + "?lang=en")).text
        cancelled = await post(
            me, detail_path, f"{detail_path}/cancel", {"reason": "誤発注", "confirm": "yes"}
        )
        assert cancelled.status_code == 303
        after = await me.get(detail_path + "?lang=en")
        assert "Canceled" in after.text and "Cancel order" not in after.text
        pdf = await me.get(f"{detail_path}/pdf?lang=ja")
        assert "キャンセル済み" in _pdf_text(pdf.content, tmp_path)
        row = await DcVoucherOrder.select().where(DcVoucherOrder.id == order_id).first()
        invoice = await me.get(f"/console/invoices/{row['invoice_id']}?lang=ja")
        assert invoice.status_code == 200  # what it bills, by DigiCert's order number
        assert f"バウチャー注文 {row['upstream_id']}" in invoice.text
        assert f'href="/console/vouchers/{order_id}"' in invoice.text
        assert "digicert_voucher_order" not in invoice.text
    with tenant_scope(a.tenant):
        actions = [e.action for e in (await list_audit()).entries]
    assert "digicert.voucher_code.reissued" in actions
    assert "digicert.voucher_order.cancelled" in actions


async def test_roles_and_another_tenants_ids(app, teams):
    a, b = teams
    async with browser(app, a.host) as client:
        sessions = Sessions(client)
        owner = await sessions.as_(a, "owner")
        placed = await _place(owner)
        detail = placed.headers["location"].split("?")[0]
        order_id = int(detail.rsplit("/", 1)[1])
        code_id = (
            await DcVoucherCode.select(DcVoucherCode.id)
            .where(DcVoucherCode.voucher_order_id == order_id)
            .first()
        )["id"]
        for role in ("finance", "read_only"):
            viewer = await sessions.as_(a, role)
            assert (await viewer.get(detail)).status_code == 200
            assert (await viewer.get(NEW)).status_code == 403
            assert "バウチャーを再発行する" not in (await viewer.get(detail + "?lang=ja")).text
            refused = await post(viewer, detail, f"{detail}/cancel", {})
            assert refused.status_code == 403
        assert (await (await sessions.as_(a, "admin")).get(NEW)).status_code == 200
        intruder = await sessions.as_(b, "owner")
        for path in (
            detail,
            f"{detail}/pdf",
            f"{detail}/codes.csv",
            f"/console/vouchers/codes/{code_id}/pdf",
        ):
            assert (await intruder.get(path)).status_code == 404, path
        for path in (f"{detail}/cancel", f"/console/vouchers/codes/{code_id}/reissue"):
            assert (await post(intruder, "/console/vouchers", path, {})).status_code == 404
        listing = await intruder.get("/console/vouchers")
        assert f"/console/vouchers/{order_id}" not in listing.text
    assert len(await _codes(order_id)) == 2  # nothing happened to tenant A's vouchers


async def test_delegated_delivery_needs_consent_and_is_attributed(app, teams, upstream):
    a, _ = teams
    email = await make_operator(upstream.clock)
    new = f"/operator/tenants/{a.tenant.id}/vouchers/new"
    async with browser(app, BASE) as client:
        assert (await sign_in_area(client, "operator", email)).status_code == 303
        tenant_page = await client.get(f"/operator/tenants/{a.tenant.id}?lang=ja")
        assert "同意していません" in tenant_page.text and new not in tenant_page.text
        assert (await client.get(new)).status_code == 404
        with tenant_scope(a.tenant):
            await grant_consent(staff_context(a.tenant, a.owner_id, upstream.clock), 7)
        tenant_page = await client.get(f"/operator/tenants/{a.tenant.id}?lang=ja")
        assert new in tenant_page.text
        form = await client.get(new + "?lang=en")
        assert form.status_code == 200 and "Add new vouchers" in form.text
        done = await post(client, new, new, {**LINE, "action": "place"})
        assert done.status_code == 303, done.text
        on_host(client, a.host)
    with tenant_scope(a.tenant):
        entries = (await list_audit()).entries
    created = [e for e in entries if e.action == "digicert.voucher_order.created"]
    assert [(e.actor_kind, e.actor_name, e.on_behalf_of) for e in created] == [
        ("operator", "運営 一郎", f"operator:{email}")
    ]
    order = await DcVoucherOrder.objects().where(DcVoucherOrder.tenant_id == a.tenant.id).first()
    assert order.on_behalf_of == f"operator:{email}"
    assert re.fullmatch(r"[A-Z0-9]{32}", (await _codes(order.id))[0])
