"""Real parts for the messaging tests: an SMTP server and an HTTP receiver on loopback."""

from __future__ import annotations

import ipaddress
import json
import socket
import threading
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

from core.clock import FrozenClock
from core.context import Actor, Context, TenantRef
from core.egress import IPAddress
from core.messaging import mail_secrets
from core.messaging.webhooks import SIGNATURE_HEADER, WebhookGuard, verify
from core.sealing import Keyring, associated_data
from tenants.tables import Tenant
from tests.conftest import TEST_SECRET
from tests.tenants.helpers import active_tenant

START = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """aiosmtpd handler keeping every message it accepts (raw bytes and envelope)."""

    def __init__(self) -> None:
        self.raw: list[bytes] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.raw.append(envelope.original_content or envelope.content)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        return [message_from_bytes(raw, policy=policy.default) for raw in self.raw]  # type: ignore[misc]


class SmtpServer:
    """A real SMTP server on a fixed loopback port that can be stopped and started again."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.inbox = Inbox()
        self.controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> SmtpServer:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


class Receiver:
    """An HTTP webhook receiver in a thread: answers with the queued status codes (then 200)
    and checks every request's signature with the endpoint's secret."""

    def __init__(self) -> None:
        self.secret = ""
        self.clock: FrozenClock | None = None  # the sender's clock, for the freshness check
        self.answers: list[int] = []
        self.reply_body = b"ok"
        self.reply_headers: dict[str, str] = {}
        self.requests: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                signature = self.headers.get(SIGNATURE_HEADER, "")
                receiver.requests.append(
                    {
                        "body": body,
                        "signature": signature,
                        "valid": receiver.clock is not None
                        and verify(
                            receiver.secret, signature, body, now=receiver.clock.now().timestamp()
                        ),
                        "headers": dict(self.headers),
                        "json": json.loads(body),
                    }
                )
                code = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(code)
                self.send_header("Content-Length", str(len(receiver.reply_body)))
                for name, value in receiver.reply_headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(receiver.reply_body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


async def branded_tenant(
    clock: FrozenClock | None = None, language: str = "ja", **branding: str
) -> TenantRef:
    """A real signed-up tenant with branding set in its settings row."""
    result, _ = await active_tenant(clock)
    values = {
        "name": "しょうめいホスティング",
        "logo_url": "https://www.example.jp/logo.png",
        "primary_colour": "#123456",
        "accent_colour": "#ABCDEF",
        "footer_text": "〒104-0061 東京都中央区銀座6-10-1",
        "language": language,
        **branding,
    }
    await Tenant.update({getattr(Tenant, k): v for k, v in values.items()}).where(
        Tenant.id == result.tenant.id
    )
    return TenantRef(id=result.tenant.id, slug=result.tenant.slug, language=language)


def context(tenant: TenantRef, clock: FrozenClock) -> Context:
    return Context(tenant, Actor.system("test"), clock)


class NameMap:
    """A resolver for the webhook address check that never asks DNS: the names it was given map
    to their addresses, an IP literal to itself, and any other name to 127.0.0.1, so whatever a
    test sends stays on this machine. ``asked`` lists every lookup."""

    def __init__(self, names: dict[str, list[str]] | None = None) -> None:
        self.names = dict(names or {})
        self.asked: list[str] = []

    async def __call__(self, host: str, port: int) -> list[IPAddress]:
        self.asked.append(host)
        try:
            return [ipaddress.ip_address(host)]
        except ValueError:
            pass
        return [ipaddress.ip_address(a) for a in self.names.get(host, ["127.0.0.1"])]


def guard(resolver: NameMap | None = None, allow_loopback: bool = True) -> WebhookGuard:
    """The tests' webhook guard: the tests' secret key, loopback allowed, a ``NameMap``."""
    return WebhookGuard(Keyring(TEST_SECRET), allow_loopback, resolver or NameMap())


def opened_links(payload: dict[str, Any], tenant_id: int) -> dict[str, str]:
    """The sealed token links of a mail event's payload, opened as the mail step does."""
    aad = associated_data(tenant_id, mail_secrets.PURPOSE)
    keyring = Keyring(TEST_SECRET)
    return {name: keyring.open_text(v, aad) for name, v in payload[mail_secrets.SEALED].items()}
