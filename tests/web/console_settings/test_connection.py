"""The provider form's *save and test connection*: one authenticated call to the DigiCert
sandbox, and a message naming what failed (key refused, host unreachable, wrong URL) in the
tenant's language; the right key says so and the account stays saved."""

from __future__ import annotations

import socket

import pytest

from tenants.tables import ProviderAccount
from tests.plugins.digicert.conftest import API_KEY
from tests.web.browser import browser, browser_settings, make_app, make_shop
from tests.web.console_settings.people import Sessions, make_team, post

FORM = "/console/providers/provider/digicert"


@pytest.fixture
def app(tmp_path, database, upstream):
    return make_app(browser_settings(tmp_path, database), clock=upstream.clock)


@pytest.fixture
async def team(upstream):
    shop = await make_shop(upstream.clock)
    made = await make_team(shop.tenant, shop.owner_id, upstream.clock)
    yield made
    await ProviderAccount.delete().where(ProviderAccount.tenant == shop.tenant.id)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def _test(client, lang: str, base_url: str, api_key: str = ""):
    return await post(
        client, f"{FORM}?lang={lang}", f"{FORM}?lang={lang}",
        {"base_url": base_url, "api_key": api_key, "enabled": "1", "action": "test"},
    )  # fmt: skip


async def test_connection_names_what_failed(app, team, upstream):
    async with browser(app, team.host) as client:
        admin = await Sessions(client).as_(team, "admin")
        form = await admin.get(f"{FORM}?lang=ja")
        assert "保存して接続テスト" in form.text

        wrong_key = await _test(admin, "ja", upstream.api_url, "not-the-key")
        assert wrong_key.status_code == 200 and 'data-ok="no"' in wrong_key.text
        assert "API キーが拒否されました（HTTP 401）" in wrong_key.text  # noqa: RUF001

        unreachable = f"http://127.0.0.1:{_closed_port()}/services/v2"
        nobody = await _test(admin, "en", unreachable)  # the stored key is kept
        assert "Could not reach 127.0.0.1: nothing answered" in nobody.text

        wrong_url = await _test(admin, "en", f"{upstream.url}/services/v1")
        assert "is not the provider&#39;s API (HTTP 404)" in wrong_url.text

        right = await _test(admin, "ja", upstream.api_url, API_KEY)
        assert 'data-ok="yes"' in right.text and "接続できました" in right.text
        assert API_KEY not in right.text

        save = await post(admin, FORM, FORM, {"base_url": upstream.api_url, "enabled": "1"})
        assert save.status_code == 303
        again = await _test(admin, "en", upstream.api_url)
        assert "Connection OK" in again.text
        for role in ("finance", "support", "read_only"):
            viewer = await Sessions(client).as_(team, role)
            assert (await viewer.get(FORM)).status_code == 403
