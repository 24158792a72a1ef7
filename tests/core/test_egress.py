"""The shared egress rule (``core.egress``): the guarded client that every URL a tenant sets is
reached through (webhook endpoints, provider base URLs).

No packet leaves this machine: names are resolved by a ``NameMap`` (never DNS), and the guarded
client's network transport is replaced by one that records every request it is handed; a
refused URL must reach it not at all."""

from __future__ import annotations

import httpx
import pytest

from core.egress import Egress, EgressRefused
from core.errors import FieldError
from tests.core.messaging.helpers import NameMap

NAMES = {
    "internal.example.test": ["10.0.0.5"],
    "metadata.example.test": ["169.254.169.254"],
    "mixed.example.test": ["203.0.113.250", "8.8.8.8", "192.168.1.1"],
    "mapped.example.test": ["::ffff:10.0.0.5"],
    "loopback.example.test": ["127.0.0.1"],
    "api.example.test": ["8.8.8.8"],
    "v6.example.test": ["2001:4860:4860::8888"],
}


class Network(httpx.AsyncBaseTransport):
    """Stands for the network: records each request it is asked to send, answers ``reply``."""

    def __init__(self, reply: httpx.Response | None = None) -> None:
        self.seen: list[httpx.Request] = []
        self.reply = reply or httpx.Response(200, json={"ok": True})

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        return self.reply


def production(names: NameMap | None = None) -> Egress:
    return Egress(allow_loopback=False, resolver=names or NameMap(NAMES))


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://internal.example.test/services/v2", "url_not_public"),
        ("https://metadata.example.test/latest/meta-data/", "url_not_public"),
        ("https://mixed.example.test/", "url_not_public"),
        ("https://mapped.example.test/", "url_not_public"),
        ("https://loopback.example.test/", "url_not_public"),
        ("https://169.254.169.254/latest/meta-data/", "url_not_public"),
        ("https://[::1]:8443/", "url_not_public"),
        ("https://10.0.0.5/", "url_not_public"),
        ("http://169.254.169.254/latest/meta-data/", "url_invalid"),
        ("http://api.example.test/", "url_invalid"),
        ("https://user:pw@api.example.test/", "url_invalid"),
        ("file:///etc/passwd", "url_invalid"),
    ],
)
async def test_the_guarded_client_refuses_before_any_connection(url, reason):
    names, network = NameMap(NAMES), Network()
    async with production(names).client(inner=network) as client:
        with pytest.raises(EgressRefused) as refused:
            await client.get(url)
    assert refused.value.reason == reason
    assert network.seen == []  # nothing was handed to the network


async def test_loopback_only_with_the_explicit_setting():
    network = Network()
    demo = Egress(allow_loopback=True, resolver=NameMap(NAMES))
    async with demo.client(inner=network) as client:
        assert (await client.get("http://127.0.0.1:8001/services/v2/voucher")).status_code == 200
        with pytest.raises(EgressRefused):  # private stays refused even then
            await client.get("https://internal.example.test/")
    assert [str(r.url) for r in network.seen] == ["http://127.0.0.1:8001/services/v2/voucher"]


async def test_an_allowed_request_goes_to_the_checked_address_with_its_name():
    network = Network()
    async with production().client(inner=network, base_url="https://api.example.test/v2") as c:
        await c.post("/voucher?x=1", json={"a": 1})
    async with production().client(inner=network) as c:
        await c.get("https://v6.example.test:8443/p")
    first, second = network.seen
    assert str(first.url) == "https://8.8.8.8/v2/voucher?x=1"
    assert first.headers["host"] == "api.example.test"
    assert first.extensions["sni_hostname"] == "api.example.test"  # TLS checks the name
    assert first.read() == b'{"a":1}'
    assert str(second.url) == "https://[2001:4860:4860::8888]:8443/p"
    assert second.headers["host"] == "v6.example.test:8443"


async def test_redirects_are_not_followed_and_the_environment_is_not_read(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    network = Network(httpx.Response(302, headers={"Location": "http://169.254.169.254/"}))
    async with production().client(inner=network) as client:
        answer = await client.get("https://api.example.test/")
        assert client.trust_env is False and not client.follow_redirects
    assert answer.status_code == 302 and len(network.seen) == 1


async def test_field_errors_name_the_field():
    egress = production()
    assert await egress.field_errors("base_url", "https://api.example.test/services/v2") == []
    assert await egress.field_errors("base_url", "https://metadata.example.test/") == [
        FieldError("base_url", "egress.url_not_public", {"field": "base_url"})
    ]


def test_refusal_messages_exist_in_both_languages():
    from core.i18n import load_catalogs

    catalogs = load_catalogs("core")
    for reason in ("url_invalid", "url_unresolvable", "url_not_public"):
        assert catalogs["ja"][f"egress.{reason}"] and catalogs["en"][f"egress.{reason}"]
