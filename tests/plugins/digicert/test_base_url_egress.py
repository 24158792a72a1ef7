"""Issue 13 follow-up (SSRF through provider settings): a DigiCert account's ``base_url`` is set
by the tenant's staff, so it obeys the same egress rule as webhooks (``core.egress``): refused
when the account is saved (an error on ``base_url``) and again when connecting, with nothing
sent. The sandbox upstream on loopback keeps working under the demo's and the tests' explicit
loopback setting.

No packet leaves this machine: test names resolve through a ``NameMap`` to private addresses,
and where a client could send, its network transport records requests instead (and must record
none)."""

from __future__ import annotations

import pytest

from core.clock import FrozenClock
from core.context import tenant_scope
from core.contracts.common import PluginAccount
from core.egress import Egress
from core.errors import ValidationFailed
from plugins.digicert.client import CertCentralClient
from plugins.digicert.errors import UpstreamNotAllowed
from plugins.digicert.provider import DigiCertProvider
from plugins.digicert.upstream import client_for
from tenants.credentials import Keyring
from tenants.provider_accounts import save_account
from tenants.tables import ProviderAccount
from tests.conftest import TEST_SECRET
from tests.core.messaging.helpers import NameMap
from tests.core.test_egress import NAMES, Network
from tests.plugins.digicert.conftest import API_KEY, SANDBOX_EGRESS
from tests.tenants.helpers import START, active_tenant, staff_context

PRODUCTION = Egress(allow_loopback=False, resolver=NameMap(NAMES))
REFUSED = [
    ("https://metadata.example.test/services/v2", "url_not_public"),
    ("https://internal.example.test/services/v2", "url_not_public"),
    ("http://169.254.169.254/latest/meta-data", "url_invalid"),
    ("https://169.254.169.254/latest/meta-data", "url_not_public"),
    ("https://[fd00::1]/services/v2", "url_not_public"),
]


class Sleeps(list[float]):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.mark.parametrize(("base_url", "reason"), REFUSED)
async def test_connecting_to_a_refused_base_url_sends_nothing(base_url, reason):
    network, sleeps = Network(), Sleeps()
    async with CertCentralClient(
        API_KEY, base_url, transport=network, egress=PRODUCTION, sleep=sleeps
    ) as api:
        with pytest.raises(UpstreamNotAllowed) as refused:
            await api.get_voucher_order(1)
    assert refused.value.reason == reason and not refused.value.retryable
    assert network.seen == [] and sleeps == []  # not sent, not retried
    assert refused.value.codes == (f"base_url_{reason}",)


@pytest.mark.parametrize(("base_url", "reason"), REFUSED)
async def test_the_account_client_goes_through_the_account_egress(base_url, reason):
    account = PluginAccount(
        config={"base_url": base_url}, credentials={"api_key": API_KEY}, egress=PRODUCTION
    )
    async with client_for(account) as api:
        with pytest.raises(UpstreamNotAllowed) as refused:
            await api.list_voucher_orders()
    assert refused.value.reason == reason


async def test_the_sandbox_on_loopback_needs_the_explicit_setting(upstream):
    demo = PluginAccount(
        config={"base_url": upstream.api_url}, credentials={"api_key": API_KEY},
        egress=SANDBOX_EGRESS,
    )  # fmt: skip
    async with client_for(demo) as api:
        assert await api.list_voucher_orders() == []
    production = PluginAccount(config=demo.config, credentials=demo.credentials)  # the default
    async with client_for(production) as api:
        with pytest.raises(UpstreamNotAllowed) as refused:
            await api.list_voucher_orders()
    assert refused.value.reason == "url_invalid"  # plain http, and to this machine


async def test_a_public_base_url_is_pinned_to_its_checked_address():
    network = Network()
    async with CertCentralClient(
        API_KEY, "https://api.example.test/services/v2", transport=network, egress=PRODUCTION
    ) as api:
        await api.list_voucher_orders()
    (sent,) = network.seen
    assert sent.url.host == "8.8.8.8" and sent.headers["host"] == "api.example.test"
    assert sent.headers["x-dc-devkey"] == API_KEY


async def test_saving_the_account_refuses_the_url_naming_the_field(database):
    clock = FrozenClock(START)
    result, _ = await active_tenant(clock)
    ctx = staff_context(result.tenant, result.owner_id, clock)
    keyring, fields = Keyring(TEST_SECRET), DigiCertProvider.config_fields
    credentials = {"api_key": API_KEY}
    try:
        with tenant_scope(result.tenant):
            for base_url, reason in REFUSED:
                with pytest.raises(ValidationFailed) as failed:
                    await save_account(
                        ctx, keyring, "provider", "digicert", {"base_url": base_url},
                        credentials, fields=fields, egress=PRODUCTION,
                    )  # fmt: skip
                assert [(e.field, e.message_id) for e in failed.value.errors] == [
                    ("base_url", f"egress.{reason}")
                ]
            assert await ProviderAccount.count().where(
                ProviderAccount.tenant == result.tenant.id
            ) == 0  # fmt: skip
            with pytest.raises(ValidationFailed):  # the sandbox: only with the setting
                await save_account(
                    ctx, keyring, "provider", "digicert",
                    {"base_url": "http://127.0.0.1:8001/services/v2"}, credentials,
                    fields=fields, egress=PRODUCTION,
                )  # fmt: skip
            for settings, egress in [
                ({"base_url": "http://127.0.0.1:8001/services/v2"}, SANDBOX_EGRESS),
                ({"base_url": "https://api.example.test/services/v2"}, PRODUCTION),
                ({}, PRODUCTION),  # CertCentral itself, by default
            ]:
                view = await save_account(
                    ctx, keyring, "provider", "digicert", settings, credentials,
                    fields=fields, egress=egress,
                )  # fmt: skip
                assert view.settings == settings
    finally:
        await ProviderAccount.delete().where(ProviderAccount.tenant == result.tenant.id)
