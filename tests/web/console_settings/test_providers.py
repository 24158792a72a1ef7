"""Provider and payment settings: forms drawn from each plugin's config_fields, secrets
write-only (never in any page, not even in part), blank secret keeps the stored one."""

from __future__ import annotations

import pytest

from core.clock import FrozenClock
from core.context import tenant_scope
from tenants.credentials import Keyring
from tenants.provider_accounts import plugin_account
from tenants.tables import ProviderAccount
from tests.core.messaging.helpers import NameMap
from tests.core.test_egress import NAMES
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


DIGICERT = "/console/providers/provider/digicert"


async def test_a_provider_base_url_must_be_public(tmp_path, database, team, clock):
    """Issue 13 follow-up: the DigiCert base URL is refused on saving when it does not point to
    a public address (names resolved by a ``NameMap``: nothing is looked up, nothing is sent),
    with the error on the field; loopback (the sandbox) only with the explicit setting."""
    settings = browser_settings(tmp_path, database, egress_allow_loopback="0")
    app = make_app(settings, clock=clock, webhook_resolver=NameMap(NAMES))
    async with browser(app, team.host) as client:
        admin = await Sessions(client).as_(team, "admin")
        for base_url, lang, text in [
            ("https://metadata.example.test/services/v2", "ja", "公開アドレスを指していません"),
            ("https://10.0.0.5/services/v2", "en", "does not point to a public internet address"),
            ("http://127.0.0.1:8001/services/v2", "en", "must start with https://"),
        ]:
            refused = await post(
                admin, f"{DIGICERT}?lang={lang}", DIGICERT,
                {"base_url": base_url, "api_key": "dk_test_1", "enabled": "1"},
            )  # fmt: skip
            assert refused.status_code == 400 and 'id="base_url-error"' in refused.text
            assert text in refused.text and f'value="{base_url}"' in refused.text
        assert await ProviderAccount.count().where(ProviderAccount.tenant == team.tenant.id) == 0
        saved = await post(
            admin, DIGICERT, DIGICERT,
            {"base_url": "https://api.example.test/services/v2", "api_key": "dk_test_1",
             "enabled": "1"},
        )  # fmt: skip
        assert saved.status_code == 303


async def test_the_sandbox_base_url_is_accepted_with_the_loopback_setting(
    tmp_path, database, team, clock
):
    settings = browser_settings(tmp_path, database, egress_allow_loopback="1")
    app = make_app(settings, clock=clock, webhook_resolver=NameMap(NAMES))
    async with browser(app, team.host) as client:
        admin = await Sessions(client).as_(team, "admin")
        saved = await post(
            admin, DIGICERT, DIGICERT,
            {"base_url": "http://127.0.0.1:8001/services/v2", "api_key": "dk_test_1",
             "enabled": "1"},
        )  # fmt: skip
        assert saved.status_code == 303


async def test_the_list_says_why_a_payment_method_is_unavailable(app, team):
    async with browser(app, team.host) as client:
        admin = await Sessions(client).as_(team, "admin")

        async def reason(code: str, lang: str = "ja") -> str:
            listing = await admin.get(f"/console/providers?lang={lang}")
            assert listing.status_code == 200
            cell = listing.text.split(f'id="availability-{code}">', 1)[1]
            return cell.split("</td>", 1)[0]

        assert "Stripe のキー" in await reason("card")
        assert "Stripe keys" in await reason("card", "en")
        assert "振込先の口座が設定されていません" in await reason("bank_transfer")
        assert "no receiving bank account" in await reason("bank_transfer", "en")
        keys = {"publishable_key": "pk_test_1", "secret_key": SECRET, "webhook_secret": HOOK}
        saved = await post(admin, CARD, CARD, {**keys, "enabled": "1"})
        assert saved.status_code == 303
        assert await reason("card") == "お客様が選べます。"
        switched_off = await post(admin, CARD, CARD, {"publishable_key": "pk_test_1"})
        assert switched_off.status_code == 303
        assert "無効にしています" in await reason("card")
