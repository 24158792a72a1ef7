"""API keys (secret shown exactly once), staff and roles (invite, role, deactivate), and the
owner's consent to delegated access: both languages, role checks, another tenant's ids."""

from __future__ import annotations

import re

import pytest

from core.clock import FrozenClock
from core.context import tenant_scope
from core.outbox import OutboxEvent
from tenants.api_keys import authenticate
from tenants.audit import list_audit
from tenants.delegation import current_consent
from tenants.tables import ApiKey, StaffUser
from tests.core.messaging.helpers import opened_links
from tests.web.browser import START, browser, browser_settings, make_app, make_shop
from tests.web.console_settings.people import ROLES, Sessions, make_team, post
from web.mail_outbox import PASSWORD_RESET_REQUESTED

KEY = re.compile(r"shk_[0-9a-f]{12}_[A-Za-z0-9_-]{20,}")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def app(tmp_path, database, clock):
    return make_app(browser_settings(tmp_path, database), clock=clock)


@pytest.fixture
async def teams(clock):
    shops = [await make_shop(clock), await make_shop(clock)]
    return [await make_team(s.tenant, s.owner_id, clock) for s in shops]


async def test_api_key_secret_is_shown_exactly_once(app, teams, clock):
    a, b = teams
    async with browser(app, a.host) as client:
        sessions = Sessions(client)
        admin = await sessions.as_(a, "admin")
        ja = await admin.get("/console/api-keys?lang=ja")
        assert ja.status_code == 200 and "新しいAPIキー" in ja.text and "orders:read" in ja.text
        en = await admin.get("/console/api-keys?lang=en")
        assert "New API key" in en.text
        created = await post(
            admin, "/console/api-keys", "/console/api-keys",
            {"name": "パネル連携", "scopes": ["orders:read", "orders:write"]},
        )  # fmt: skip
        assert created.status_code == 200
        keys = KEY.findall(created.text)
        assert len(keys) == 1
        key = keys[0]
        principal = await authenticate(key, clock)
        assert principal.tenant.id == a.tenant.id and principal.scopes == (
            "orders:read", "orders:write",
        )  # fmt: skip
        secret = key.split("_", 2)[2]
        for path in ("/console/api-keys", "/console/api-keys?lang=en", "/console/"):
            page = await admin.get(path)
            assert secret not in page.text and not KEY.search(page.text), path
        assert "パネル連携" in (await admin.get("/console/api-keys?lang=ja")).text

        refused = await post(
            admin, "/console/api-keys", "/console/api-keys",
            {"name": "", "scopes": [], "expires_on": "2026-13-01"},
        )  # fmt: skip
        assert refused.status_code == 400 and 'id="expires_on-error"' in refused.text
        past = await post(
            admin, "/console/api-keys", "/console/api-keys?lang=en",
            {"name": "old", "scopes": ["orders:read"], "expires_on": "2020-01-01"},
        )  # fmt: skip
        assert past.status_code == 400 and 'value="old"' in past.text
        assert not KEY.search(past.text)

        with tenant_scope(a.tenant):
            row = await ApiKey.objects().where(ApiKey.tenant == a.tenant.id).first()
        intruder = await sessions.as_(b, "owner")
        foreign = await post(
            intruder, "/console/api-keys", f"/console/api-keys/{row.id}/revoke", {}
        )
        assert foreign.status_code == 404
        admin = await sessions.as_(a, "admin")
        path = f"/console/api-keys/{row.id}/revoke"
        asked = await post(admin, "/console/api-keys?lang=en", path + "?lang=en", {})
        assert asked.status_code == 409  # not revoked: the confirmation page asks first
        assert row.name in asked.text and "will be revoked" in asked.text
        assert "Revoked" not in (await admin.get("/console/api-keys?lang=en")).text
        revoked = await post(admin, "/console/api-keys", path, {"confirm": "yes"})
        assert revoked.status_code == 303
        assert "Revoked" in (await admin.get("/console/api-keys?lang=en")).text
        for role in ("finance", "support", "read_only"):
            assert (await (await sessions.as_(a, role)).get("/console/api-keys")).status_code == 403


async def test_staff_invite_role_and_deactivation(app, teams):
    a, b = teams
    async with browser(app, a.host) as client:
        sessions = Sessions(client)
        for role in ROLES[1:]:
            assert (await (await sessions.as_(a, role)).get("/console/staff")).status_code == 403
        owner = await sessions.as_(a, "owner")
        ja = await owner.get("/console/staff?lang=ja")
        assert ja.status_code == 200 and "スタッフを招待する" in ja.text
        assert "代行操作" in ja.text
        en = await owner.get("/console/staff?lang=en")
        assert "Invite a staff member" in en.text
        refused = await post(
            owner, "/console/staff", "/console/staff",
            {"email": "not-an-email", "display_name": "新人", "role": "support"},
        )  # fmt: skip
        assert refused.status_code == 400 and 'value="新人"' in refused.text
        assert 'id="email-error"' in refused.text
        invited = await post(
            owner, "/console/staff", "/console/staff",
            {"email": "newcomer@example.jp", "display_name": "新人 さん", "role": "support"},
        )  # fmt: skip
        assert invited.status_code == 303
        with tenant_scope(a.tenant):
            person = (
                await StaffUser.objects()
                .where(
                    (StaffUser.tenant == a.tenant.id) & (StaffUser.email == "newcomer@example.jp")
                )
                .first()
            )
            mails = await (
                OutboxEvent.select(OutboxEvent.payload)
                .where(
                    (OutboxEvent.tenant_id == a.tenant.id)
                    & (OutboxEvent.event_type == PASSWORD_RESET_REQUESTED)
                )
                .output(load_json=True)
            )
        assert person.role == "support"
        assert [m["payload"]["to"] for m in mails] == ["newcomer@example.jp"]
        link = opened_links(mails[0]["payload"], a.tenant.id)["reset_url"]
        assert "/console/password/reset/confirm?token=" in link

        changed = await post(owner, "/console/staff", f"/console/staff/{person.id}/role",
                             {"role": "finance"})  # fmt: skip
        assert changed.status_code == 303
        last = await post(owner, "/console/staff", f"/console/staff/{a.owner_id}/role",
                          {"role": "admin"})  # fmt: skip
        assert last.status_code == 400
        assert "最後のオーナー" in last.text or "last owner" in last.text.lower()
        off_path = f"/console/staff/{person.id}/deactivate"
        asked = await post(owner, "/console/staff", off_path + "?lang=ja", {})
        assert asked.status_code == 409  # not deactivated: the confirmation page asks first
        assert "newcomer@example.jp" in asked.text and "を無効にします" in asked.text
        off = await post(owner, "/console/staff", off_path, {"confirm": "yes"})
        assert off.status_code == 303
        self_off = await post(
            owner, "/console/staff", f"/console/staff/{a.owner_id}/deactivate", {"confirm": "yes"}
        )
        assert self_off.status_code == 400
        intruder = await sessions.as_(b, "owner")
        for path, data in (
            (f"/console/staff/{person.id}/role", {"role": "owner"}),
            (f"/console/staff/{person.id}/activate", {}),
        ):
            assert (await post(intruder, "/console/staff", path, data)).status_code == 404
    with tenant_scope(a.tenant):
        person = await StaffUser.objects().where(StaffUser.id == person.id).first()
        actions = [e.action for e in (await list_audit()).entries]
    assert person.role == "finance" and not person.active
    assert {"staff.added", "staff.role_changed", "staff.deactivated"} <= set(actions)


async def test_owner_grants_and_revokes_consent(app, teams, clock):
    a, _ = teams
    async with browser(app, a.host) as client:
        owner = await Sessions(client).as_(a, "owner")
        refused = await post(owner, "/console/staff", "/console/staff/consent", {"days": "365"})
        assert refused.status_code == 400 and 'id="days-error"' in refused.text
        granted = await post(owner, "/console/staff", "/console/staff/consent",
                             {"days": "14", "note": "DCJ 代行納品"})  # fmt: skip
        assert granted.status_code == 303
        assert (await current_consent(a.tenant, clock)) is not None
        shown = await owner.get("/console/staff?lang=en")
        assert "consented to delegated access until" in shown.text
        asked = await post(owner, "/console/staff", "/console/staff/consent/revoke?lang=ja", {})
        assert asked.status_code == 409 and "同意を取り消します" in asked.text
        assert (await current_consent(a.tenant, clock)) is not None  # not yet
        revoked = await post(
            owner, "/console/staff", "/console/staff/consent/revoke", {"confirm": "yes"}
        )
        assert revoked.status_code == 303
    assert (await current_consent(a.tenant, clock)) is None
