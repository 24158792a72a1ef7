"""Provider and payment settings: forms drawn from each plugin's config_fields, secrets
write-only (never in any page, not even in part), blank secret keeps the stored one."""

from __future__ import annotations

import pytest

from core.clock import FrozenClock
from core.context import tenant_scope
from tenants.credentials import Keyring
from tenants.provider_accounts import plugin_account
from tenants.tables import ProviderAccount
from tests.tenants.helpers import staff_context
from tests.web.browser import START, browser, browser_settings, make_app, make_shop
from tests.web.console_settings.people import Sessions, make_team, post

SECRET = "sk_test_Zq8vN3kLp0Wx7Ry2"
HOOK = "whsec_Mx4Tb9Qe1Uo6Ji5H"
CARD = "/console/providers/payment/card"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def settings(tmp_path, database):
    return browser_settings(tmp_path, database)


@pytest.fixture
def app(settings, clock):
    return make_app(settings, clock=clock)


@pytest.fixture
async def team(clock):
    shop = await make_shop(clock)
    made = await make_team(shop.tenant, shop.owner_id, clock)
    yield made
    await ProviderAccount.delete().where(ProviderAccount.tenant == shop.tenant.id)


def _console_get_paths(app) -> list[str]:
    """Every console page without an id in its path (the settings pages among them)."""
    found = []
    for route in app.routes:
        if route.path.startswith("/console") and "{" not in route.path:
            if "GET" in getattr(route, "methods", set()) and "password" not in route.path:
                found.append(route.path)
    return sorted(set(found))


async def test_secrets_are_write_only(app, team, settings, clock):
    async with browser(app, team.host) as client:
        sessions = Sessions(client)
        admin = await sessions.as_(team, "admin")
        listing = await admin.get("/console/providers?lang=ja")
        assert listing.status_code == 200 and "card" in listing.text and "未設定" in listing.text
        form = await admin.get(CARD + "?lang=en")
        assert "Secret key (Stripe)" in form.text and 'type="password"' in form.text
        missing = await post(admin, CARD, CARD, {"publishable_key": "pk_test_1", "enabled": "1"})
        assert missing.status_code == 400 and 'id="secret_key-error"' in missing.text
        assert 'value="pk_test_1"' in missing.text
        saved = await post(
            admin, CARD, CARD,
            {"publishable_key": "pk_test_1", "secret_key": SECRET, "webhook_secret": HOOK,
             "enabled": "1"},
        )  # fmt: skip
        assert saved.status_code == 303
        again = await post(admin, CARD, CARD, {"publishable_key": "pk_test_2", "enabled": "1"})
        assert again.status_code == 303  # blank secrets keep the stored ones
        with tenant_scope(team.tenant):
            ctx = staff_context(team.tenant, team.owner_id, clock)
            account = await plugin_account(
                ctx, Keyring.from_settings(settings), "payment", "card",
                settings.secret_key, settings.public_url,
            )  # fmt: skip
        assert account.credentials == {"secret_key": SECRET, "webhook_secret": HOOK}
        assert account.config == {"publishable_key": "pk_test_2"}
        edit = await admin.get(CARD + "?lang=ja")
        assert "保存済みです" in edit.text and 'value="pk_test_2"' in edit.text
        paths = _console_get_paths(app)
        assert {"/console/providers", "/console/api-keys", "/console/staff"} <= set(paths)
        for role in ("owner", "admin"):
            person = await sessions.as_(team, role)
            for path in [*paths, CARD, "/console/providers/provider/digicert"]:
                for lang in ("ja", "en"):
                    page = await person.get(f"{path}?lang={lang}")
                    for secret in (SECRET, HOOK):
                        assert secret[-4:] not in page.text, f"{path} shows part of a secret"
        for role in ("finance", "support", "read_only"):
            person = await sessions.as_(team, role)
            assert (await person.get("/console/providers")).status_code == 403
            assert (await person.get(CARD)).status_code == 403
        unknown = await (await sessions.as_(team, "owner")).get("/console/providers/payment/nope")
        assert unknown.status_code == 404
