"""Issue 13, defect 2 (SSRF through tenant webhooks): an endpoint must be https to public
addresses, checked when saved and again when sending, and sent to the address checked.

No packet leaves this machine: names are resolved by a ``NameMap`` (never DNS), refused sends
go through a client whose transport records every request (and must record none), and the
allowed sends go to a real receiver on 127.0.0.1."""

import ipaddress
from datetime import timedelta

import httpx
import pytest

from core import outbox
from core.clock import FrozenClock
from core.context import tenant_scope
from core.egress import allowed, is_public
from core.errors import ValidationFailed
from core.messaging.tables import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from core.messaging.webhooks import attempt, create_endpoint, list_deliveries, webhook_handlers
from core.outbox_relay import deliver_pending
from core.settings import Settings
from tests.core.messaging.helpers import START, NameMap, Receiver, branded_tenant, context, guard

PRIVATE_NAMES = {
    "internal.example.test": ["10.0.0.5"],
    "metadata.example.test": ["169.254.169.254"],
    "mixed.example.test": ["8.8.8.8", "192.168.1.1"],  # one bad answer is enough to refuse
    "mapped.example.test": ["::ffff:10.0.0.5"],
    "ula.example.test": ["fd00::1"],
    "multicast.example.test": ["224.0.0.1"],
    "loopback.example.test": ["127.0.0.1"],
}


class Unresolvable(NameMap):
    async def __call__(self, host: str, port: int) -> list:
        self.asked.append(host)
        raise OSError("Name or service not known")


class Recorder:
    """An httpx client whose transport records every request instead of connecting."""

    def __init__(self) -> None:
        self.seen: list[httpx.Request] = []
        self.client = httpx.AsyncClient(transport=httpx.MockTransport(self._record))

    def _record(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        return httpx.Response(200)


@pytest.mark.parametrize(
    "address",
    ["10.0.0.5", "172.16.0.1", "192.168.1.1", "127.0.0.1", "169.254.169.254", "100.64.0.1",
     "0.0.0.0", "224.0.0.1", "240.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fd00::1",
     "fec0::1", "ff0e::1", "::ffff:127.0.0.1", "::ffff:10.0.0.5", "::ffff:169.254.169.254",
     "2002:a00:5::1", "64:ff9b::a00:5", "2001::1", "192.0.2.1", "2001:db8::1"],
)  # fmt: skip
def test_addresses_that_are_not_public_are_refused(address):
    found = ipaddress.ip_address(address)
    assert not is_public(found)
    loopback = address in ("127.0.0.1", "::1", "::ffff:127.0.0.1")
    assert allowed(found, allow_loopback=True) is loopback
    assert not allowed(found, allow_loopback=False)


@pytest.mark.parametrize("address", ["8.8.8.8", "2001:4860:4860::8888", "::ffff:8.8.8.8"])
def test_public_addresses_are_allowed(address):
    assert is_public(ipaddress.ip_address(address))


def test_loopback_is_on_by_default_only_in_the_embedded_mode():
    embedded = Settings.from_env({"SHOMEI_SECRET_KEY": "k" * 40, "SHOMEI_VAR_DIR": "/tmp/x"})
    production = Settings.from_env(
        {
            "SHOMEI_SECRET_KEY": "k" * 40,
            "SHOMEI_DATABASE_URL": "postgresql://u:p@127.0.0.1/db",
            "SHOMEI_BROKER_URL": "redis://127.0.0.1:6379/0",
        }
    )
    assert embedded.egress_allow_loopback and not production.egress_allow_loopback
    env = {"SHOMEI_SECRET_KEY": "k" * 40, "SHOMEI_EGRESS_ALLOW_LOOPBACK": "0"}
    assert not Settings.from_env(env).egress_allow_loopback
    former = {"SHOMEI_SECRET_KEY": "k" * 40, "SHOMEI_WEBHOOK_ALLOW_LOOPBACK": "0"}
    assert not Settings.from_env(former).egress_allow_loopback  # the former name still works
    both = {**former, "SHOMEI_EGRESS_ALLOW_LOOPBACK": "1"}
    assert Settings.from_env(both).egress_allow_loopback  # the new name wins


PRODUCTION_REFUSALS = [
    ("http://localhost:8080/hook", "messaging.webhook.url_invalid"),
    ("https://localhost:8443/hook", "messaging.webhook.url_not_public"),
    ("https://127.0.0.1/hook", "messaging.webhook.url_not_public"),
    ("https://169.254.169.254/latest/meta-data/", "messaging.webhook.url_not_public"),
    ("https://10.0.0.5/", "messaging.webhook.url_not_public"),
    ("https://[::1]:8443/hook", "messaging.webhook.url_not_public"),
    ("https://[::ffff:10.0.0.5]/", "messaging.webhook.url_not_public"),
    ("https://internal.example.test/hook", "messaging.webhook.url_not_public"),
    ("https://metadata.example.test/", "messaging.webhook.url_not_public"),
    ("https://mixed.example.test/", "messaging.webhook.url_not_public"),
    ("https://mapped.example.test/", "messaging.webhook.url_not_public"),
    ("https://ula.example.test/", "messaging.webhook.url_not_public"),
    ("https://multicast.example.test/", "messaging.webhook.url_not_public"),
    ("https://user:pw@hooks.example.test/", "messaging.webhook.url_invalid"),
    ("ftp://hooks.example.test/", "messaging.webhook.url_invalid"),
]


async def test_private_loopback_and_link_local_endpoints_are_refused_when_saved(database):
    clock = FrozenClock(START)
    tenant = await branded_tenant(clock)
    ctx = context(tenant, clock)
    production = guard(NameMap({**PRIVATE_NAMES, "localhost": ["127.0.0.1", "::1"]}), False)
    with tenant_scope(tenant):
        for url, message_id in PRODUCTION_REFUSALS:
            with pytest.raises(ValidationFailed) as refused:
                await create_endpoint(ctx, url, ["order.paid"], guard=production)
            assert [(e.field, e.message_id) for e in refused.value.errors] == [
                ("url", message_id)
            ], url
        # the embedded demo and the tests allow loopback, never a private or link-local address
        demo = guard(NameMap(PRIVATE_NAMES), allow_loopback=True)
        for url in ("https://10.0.0.5/", "http://internal.example.test/", "https://[fe80::1]/",
                    "https://metadata.example.test/", "http://mixed.example.test/"):  # fmt: skip
            with pytest.raises(ValidationFailed) as refused:
                await create_endpoint(ctx, url, ["order.paid"], guard=demo)
            assert refused.value.errors[0].field == "url", url
        with pytest.raises(ValidationFailed) as refused:
            await create_endpoint(
                ctx, "https://nowhere.example.test/", ["*"], guard=guard(Unresolvable())
            )
        assert refused.value.errors[0].message_id == "messaging.webhook.url_unresolvable"
        assert await WebhookEndpoint.count().where(WebhookEndpoint.tenant_id == tenant.id) == 0


async def test_a_name_rebound_to_a_private_address_is_refused_at_send_with_no_connection(database):
    clock = FrozenClock(START)
    tenant = await branded_tenant(clock)
    ctx = context(tenant, clock)
    names = NameMap({"hooks.example.test": ["8.8.8.8"]})  # public when saved …
    production = guard(names, allow_loopback=False)
    recorder = Recorder()
    with tenant_scope(tenant):
        await create_endpoint(ctx, "https://hooks.example.test/h", ["order.paid"], guard=production)
        await outbox.record(ctx, "order", 5, "order.paid", {"order_id": 5})
        await deliver_pending(tenant, webhook_handlers(), clock)
        [delivery] = await list_deliveries(ctx)
        attempts = 0
        for rebound in (["10.0.0.5"], ["169.254.169.254"], ["::1"], ["::ffff:192.168.0.1"]):
            names.names["hooks.example.test"] = rebound  # … private when sent
            outcome = await attempt(ctx, delivery.id, attempts, recorder.client, guard=production)
            attempts += 1
            assert outcome is not None and outcome.status == "queued"
            assert outcome.status_code is None and outcome.error == "refused: url_not_public"
            clock.advance(timedelta(seconds=outcome.retry_in or 0))
    assert recorder.seen == []  # not a single request left
    assert names.asked.count("hooks.example.test") == 5  # once when saved, once per attempt
    await recorder.client.aclose()


async def test_a_stored_loopback_endpoint_is_refused_by_a_production_worker(database):
    clock = FrozenClock(START)
    tenant = await branded_tenant(clock)
    ctx = context(tenant, clock)
    with Receiver() as receiver, tenant_scope(tenant):
        await create_endpoint(ctx, receiver.url, ["order.paid"], guard=guard())  # demo mode
        await outbox.record(ctx, "order", 6, "order.paid", {"order_id": 6})
        await deliver_pending(tenant, webhook_handlers(), clock)
        [delivery] = await list_deliveries(ctx)
        outcome = await attempt(ctx, delivery.id, 0, guard=guard(allow_loopback=False))
        assert outcome is not None and outcome.error == "refused: url_invalid"
    assert receiver.requests == []  # the real server on 127.0.0.1 saw no request


async def test_the_checked_address_is_used_redirects_are_not_followed_and_replies_not_kept(
    database,
):
    clock = FrozenClock(START)
    tenant = await branded_tenant(clock)
    ctx = context(tenant, clock)
    names = NameMap({"hooks.example.test": ["127.0.0.1"]})  # a name DNS would not know
    with Receiver() as receiver, tenant_scope(tenant):
        port = receiver.server.server_address[1]
        url = f"http://hooks.example.test:{port}/hooks"
        _, secret = await create_endpoint(ctx, url, ["order.paid"], guard=guard(names))
        receiver.secret, receiver.clock = secret, clock
        receiver.answers = [302, 500]
        receiver.reply_headers = {"Location": "http://169.254.169.254/latest/meta-data/"}
        receiver.reply_body = b"internal-admin-page: root password hunter2"
        await outbox.record(ctx, "order", 7, "order.paid", {"order_id": 7})
        await deliver_pending(tenant, webhook_handlers(), clock)
        [delivery] = await list_deliveries(ctx)
        first = await attempt(ctx, delivery.id, 0, guard=guard(names))
        assert first is not None and (first.status_code, first.error) == (302, "HTTP 302")
        clock.advance(timedelta(seconds=first.retry_in or 0))
        second = await attempt(ctx, delivery.id, 1, guard=guard(names))
        assert second is not None and (second.status_code, second.error) == (500, "HTTP 500")
    assert len(receiver.requests) == 2  # the redirect was not followed
    assert all(r["valid"] for r in receiver.requests)
    assert receiver.requests[0]["headers"]["Host"] == f"hooks.example.test:{port}"
    logged = [a["error"] for a in await WebhookAttempt.select(WebhookAttempt.error).run()]
    logged += [d["last_error"] for d in await WebhookDelivery.select().run()]
    assert not any("hunter2" in text or "internal-admin" in text for text in logged)
