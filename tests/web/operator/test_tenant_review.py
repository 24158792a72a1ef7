"""Operator pages: the review queue, approve / reject with a reason, suspend / reactivate,
each in Japanese and English, each change audited under the operator's name."""

from __future__ import annotations

import pytest

from core.catalog.wholesale import list_price_tables
from core.clock import FrozenClock
from core.context import tenant_scope
from tenants.audit import list_audit
from tenants.credentials import Keyring
from tenants.onboarding import sign_up_tenant, tenant_ref, verify_owner_email
from tenants.provider_accounts import save_account
from tenants.tables import ProviderAccount, Tenant
from tests.plugins.digicert.shop import PRICE_CSV
from tests.tenants.helpers import signup_form, staff_context
from tests.web.browser import (
    BASE,
    START,
    browser,
    browser_settings,
    csrf_of,
    make_app,
    make_operator,
    make_shop,
    on_host,
    sign_in,
)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def app(tmp_path, database, clock):
    return make_app(browser_settings(tmp_path, database), clock=clock)


async def _status(tenant_id: int) -> str:
    row = await Tenant.objects().where(Tenant.id == tenant_id).first()
    return row.status


async def _audit(tenant_id: int):
    row = await Tenant.objects().where(Tenant.id == tenant_id).first()
    with tenant_scope(tenant_ref(row)):
        return (await list_audit()).entries


async def _post(client, path: str, **data: str):
    page = await client.get("/operator/")
    return await client.post(path, data={**data, "csrf_token": csrf_of(page.text)})


async def test_pending_sign_up_is_listed_and_approved_in_both_languages(app, clock):
    pending = await sign_up_tenant(signup_form(display_name="審査待ちホスティング"), clock)
    await verify_owner_email(pending.tenant.slug, pending.verification_token, clock)
    email = await make_operator(clock)
    async with browser(app, BASE) as client:
        assert (await sign_in(client, "operator", email)).status_code == 303
        home = await client.get("/operator/?lang=ja")
        assert "審査待ちの販売店" in home.text
        ja = await client.get("/operator/tenants?lang=ja")
        assert ja.status_code == 200
        assert pending.tenant.slug in ja.text and "審査待ち" in ja.text
        en = await client.get("/operator/tenants?lang=en")
        assert pending.tenant.slug in en.text and "Pending review" in en.text
        detail = await client.get(f"/operator/tenants/{pending.tenant.id}?lang=en")
        assert "Approve" in detail.text and "Reject" in detail.text
        done = await _post(client, f"/operator/tenants/{pending.tenant.id}/approve")
        assert done.status_code == 303
        assert done.headers["location"] == f"/operator/tenants/{pending.tenant.id}?notice=approved"
        shown = await client.get(done.headers["location"] + "&lang=ja")
        assert "販売店を承認しました。" in shown.text and "利用を停止する" in shown.text
    assert await _status(pending.tenant.id) == "active"
    approved = [e for e in await _audit(pending.tenant.id) if e.action == "tenant.active"]
    assert [(e.actor_kind, e.actor_name) for e in approved] == [("operator", "運営 一郎")]


async def test_rejection_needs_a_reason_and_keeps_it(app, clock):
    pending = await sign_up_tenant(signup_form(), clock)
    email = await make_operator(clock)
    path = f"/operator/tenants/{pending.tenant.id}/reject"
    async with browser(app, BASE) as client:
        await sign_in(client, "operator", email)
        for lang, message in (("ja", "必須項目です。"), ("en", "This field is required")):
            client.cookies.set("lang", lang)
            refused = await _post(client, path, reason="  ")
            assert refused.status_code == 400
            assert message in refused.text
            assert 'id="reason"' in refused.text and 'aria-invalid="true"' in refused.text
        assert await _status(pending.tenant.id) == "pending"
        done = await _post(client, path, reason="登録番号が確認できません")
        assert done.status_code == 303
        again = await _post(client, f"/operator/tenants/{pending.tenant.id}/approve")
        assert again.status_code == 400  # a rejected sign-up is final
    assert await _status(pending.tenant.id) == "rejected"
    rejected = [e for e in await _audit(pending.tenant.id) if e.action == "tenant.rejected"]
    assert rejected[0].details["reason"] == "登録番号が確認できません"


async def test_suspend_and_reactivate(app, clock):
    shop = await make_shop(clock)
    email = await make_operator(clock)
    async with browser(app, BASE) as client:
        await sign_in(client, "operator", email)
        suspended = await _post(
            client, f"/operator/tenants/{shop.tenant.id}/suspend", reason="未払いのため"
        )
        assert suspended.status_code == 303
        assert await _status(shop.tenant.id) == "suspended"
        listed = await client.get("/operator/tenants?status=suspended&lang=en")
        assert shop.tenant.slug in listed.text and "Suspended" in listed.text
        on_host(client, shop.host)  # the shop's portal is closed while suspended
        assert (await client.get("/portal/login")).status_code == 404
        on_host(client, BASE)
        back = await _post(client, f"/operator/tenants/{shop.tenant.id}/reactivate")
        assert back.status_code == 303
    assert await _status(shop.tenant.id) == "active"
    actions = [e.action for e in await _audit(shop.tenant.id)]
    assert "tenant.suspended" in actions and actions.count("tenant.active") == 2


async def test_unknown_tenant_is_404_and_staff_cannot_use_operator_pages(app, clock):
    shop = await make_shop(clock)
    email = await make_operator(clock)
    async with browser(app, BASE) as client:
        assert (await client.get("/operator/tenants")).status_code == 303  # sign in first
        await sign_in(client, "operator", email)
        missing = await client.get("/operator/tenants/987654321?lang=en")
        assert missing.status_code == 404 and "There is no such tenant" in missing.text
        on_host(client, shop.host)
        assert (await sign_in(client, "console", shop.owner_email)).status_code == 303
        assert (await client.get("/operator/tenants")).status_code == 404


async def test_operator_imports_a_price_table(app, clock, tmp_path, database):

    shop = await make_shop(clock)
    ctx = staff_context(shop.tenant, shop.owner_id, clock)
    keyring = Keyring.from_settings(browser_settings(tmp_path, database))
    with tenant_scope(shop.tenant):
        account = await save_account(ctx, keyring, "provider", "digicert", {}, {"api_key": "k"})
    email = await make_operator(clock)
    page = f"/operator/tenants/{shop.tenant.id}/price-table"
    try:
        async with browser(app, BASE) as client:
            await sign_in(client, "operator", email)
            shown = await client.get(page + "?lang=ja")
            assert shown.status_code == 200 and "価格表" in shown.text
            token = csrf_of(shown.text)
            form = {"provider_account_id": str(account.id), "contract_end": "2030-03-31"}
            bad = await client.post(
                page, data={**form, "csrf_token": token},
                files={"file": ("prices.csv", "製品名,定価\nx,1\n".encode(), "text/csv")},
            )  # fmt: skip
            assert bad.status_code == 400 and 'value="2030-03-31"' in bad.text
            done = await client.post(
                page, data={**form, "csrf_token": token},
                files={"file": ("prices.csv", PRICE_CSV, "text/csv")},
            )  # fmt: skip
            assert done.status_code == 303, done.text
            assert "price_table_imported" in done.headers["location"]
            assert (await client.get("/operator/tenants/987654321/price-table")).status_code == 404
        with tenant_scope(shop.tenant):
            tables = await list_price_tables(ctx)
            entries = (await list_audit()).entries
        assert [t.provider_account_id for t in tables] == [account.id]
        imported = [e for e in entries if e.action == "catalog.price_table.imported"]
        assert imported and imported[0].actor_kind == "operator"
    finally:
        await ProviderAccount.delete().where(ProviderAccount.tenant == shop.tenant.id)
