"""Issue 13, defect 3: no secret or one-time token in clear in any table, log or broker message.

A journey through the real web app sets every kind of secret the product hands out — an API
key, a webhook signing secret, a staff invitation and a password reset (both one-time links),
an e-mail change link, a new password, a session — lets the mail step send the mails and a
webhook be signed and replayed through the broker, and then searches every column of every
table, every captured log record and every broker message for each of them. The mails
themselves (``var/mail/*.eml``) are where the links must be: the positive control."""

from __future__ import annotations

import base64
import json
import logging
import re
from email import message_from_bytes, policy
from pathlib import Path

import redis

from core import outbox
from core.clock import FrozenClock
from core.context import system_scope, tenant_scope
from core.messaging.mail_events import mail_handlers
from core.messaging.mailer import Mailer
from core.messaging.webhooks import attempt, list_deliveries, webhook_handlers
from core.outbox_relay import deliver_pending, merge_handlers
from core.plugins import build_plugin_manager
from core.tables import OutboxEvent
from tests.conftest import REDIS_URL
from tests.core.messaging.helpers import NameMap, Receiver, context, guard
from tests.web.browser import (
    BASE,
    START,
    browser,
    browser_settings,
    csrf_of,
    make_app,
    make_shop,
    post_form,
    session_cookie,
    sign_in,
)
from tests.web.console_settings.people import Sessions, make_team, post

API_KEY = re.compile(r"shk_[0-9a-f]{12}_([A-Za-z0-9_-]{20,})")
WEBHOOK_SECRET = re.compile(r"whsec_[A-Za-z0-9_-]{20,}")
TOKEN = re.compile(r"token=([A-Za-z0-9_-]{20,})")  # the random part (a dot may follow)
NEW_PASSWORD = "Kakure-Pasu-7731-qz"


async def _database_text() -> str:
    """Every value of every row of every table, as text."""
    with system_scope("test: dump every table"):
        if OutboxEvent._meta.db.engine_type == "sqlite":
            names = [
                row["name"]
                for row in await OutboxEvent.raw(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                )
            ]
        else:
            names = [
                row["tablename"]
                for row in await OutboxEvent.raw(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                )
            ]
        parts: list[str] = []
        for name in names:
            for row in await OutboxEvent.raw(f'SELECT * FROM "{name}"'):
                parts.extend(str(value) for value in row.values())
    return "\n".join(parts)


def _plain(path: Path) -> str:
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    return message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def _log_text(records: list[logging.LogRecord]) -> str:
    """Every log record shomei wrote. Left out: the test client's own request lines, which name
    the link a person followed from a mail (a browser's history, not shomei's logs); httpx lines
    of shomei's own clients (webhooks, upstreams) stay in."""
    return "\n".join(
        f"{r.getMessage()} {r.__dict__!r}"
        for r in records
        if not (r.name == "httpx" and f".{BASE}/" in r.getMessage())
    )


def _unwrap(raw: str) -> str:
    """A kombu message as stored, plus its base64 body decoded."""
    try:
        message = json.loads(raw)
        body = base64.b64decode(message["body"]).decode("utf-8", "replace")
    except (ValueError, KeyError, TypeError):
        return raw
    return raw + "\n" + body


def _broker_text(var_dir: Path, kind: str) -> str:
    if kind == "sqlite":  # the filesystem broker's folders
        files = [p for p in (var_dir / "broker").rglob("*") if p.is_file()]
        return "\n".join(_unwrap(p.read_text("utf-8", "replace")) for p in files)
    client = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    parts: list[str] = []
    for key in client.scan_iter(count=500):
        kind_of = client.type(key)
        if kind_of == "list":
            parts.extend(_unwrap(item) for item in client.lrange(key, 0, -1))
        elif kind_of == "string":
            parts.append(_unwrap(client.get(key) or ""))
        elif kind_of == "hash":
            parts.extend(_unwrap(v) for v in client.hgetall(key).values())
        elif kind_of == "zset":
            parts.extend(_unwrap(v) for v in client.zrange(key, 0, -1))
    client.close()
    return "\n".join(parts)


async def test_no_secret_or_token_is_kept_in_clear(tmp_path, database, caplog):
    caplog.set_level(logging.DEBUG)
    clock = FrozenClock(START)
    settings = browser_settings(tmp_path, database, egress_allow_loopback="1")
    app = make_app(settings, clock=clock, webhook_resolver=NameMap())
    shop = await make_shop(clock)
    team = await make_team(shop.tenant, shop.owner_id, clock)
    secrets: dict[str, str] = {}
    pm = build_plugin_manager(load_entrypoints=False)
    mailer = Mailer.from_settings(settings, pm)
    handlers = merge_handlers([mail_handlers(lambda: mailer), webhook_handlers()])

    with Receiver() as receiver:
        async with browser(app, team.host) as client:
            sessions = Sessions(client)
            admin = await sessions.as_(team, "admin")
            secrets["session"] = session_cookie(client).split(".", 1)[0]
            created = await post(
                admin, "/console/api-keys", "/console/api-keys",
                {"name": "panel", "scopes": ["orders:read"]},
            )  # fmt: skip
            secrets["API key"] = API_KEY.search(created.text).group(1)
            port = receiver.server.server_address[1]
            made = await post(
                admin, "/console/webhooks", "/console/webhooks",
                {"url": f"http://hooks.example.test:{port}/hooks", "event_types": ["*"]},
            )  # fmt: skip
            assert made.status_code == 200, made.text
            secrets["webhook secret"] = WEBHOOK_SECRET.search(made.text).group(0)
            owner = await sessions.as_(team, "owner")
            invited = await post(
                owner, "/console/staff", "/console/staff",
                {"email": "newcomer@example.jp", "display_name": "新人", "role": "support"},
            )  # fmt: skip
            assert invited.status_code == 303

        async with browser(app, shop.host) as client:
            asked = await post_form(
                client, "/portal/password/reset", "/portal/password/reset",
                {"email": shop.customer_email},
            )  # fmt: skip
            assert asked.status_code == 200
            await sign_in(client, "portal", shop.customer_email)
            changed = await post_form(
                client, "/portal/account", "/portal/account/email",
                {"new_email": "moved@example.jp"},
            )  # fmt: skip
            assert changed.status_code == 303

            ctx = context(shop.tenant, clock)
            with tenant_scope(shop.tenant):
                await outbox.record(ctx, "order", 1, "order.paid", {"order_id": 1})
                report = await deliver_pending(shop.tenant, handlers, clock)
                assert not report.failed, report
                [delivery] = await list_deliveries(ctx)
                receiver.secret, receiver.clock = secrets["webhook secret"], clock
                sent = await attempt(ctx, delivery.id, 0, guard=guard(NameMap()))
                assert sent is not None and sent.status == "delivered"

            mails = {p.name: _plain(p) for p in settings.mail_folder.glob("*.eml")}
            tokens = sorted({t for text in mails.values() for t in TOKEN.findall(text)})
            assert len(tokens) == 3, mails.keys()  # invitation, reset, e-mail change
            for number, token in enumerate(tokens):
                secrets[f"one-time token {number}"] = token

            reset = next(
                t for t in tokens for m in mails.values()
                if f"/portal/password/reset/confirm?token={t}" in m
            )  # fmt: skip
            page = await client.get(f"/portal/password/reset/confirm?token={reset}")
            done = await client.post(
                "/portal/password/reset/confirm",
                data={"token": reset, "new_password": NEW_PASSWORD,
                      "new_password_confirm": NEW_PASSWORD, "csrf_token": csrf_of(page.text)},
            )  # fmt: skip
            assert done.status_code in (302, 303), done.text  # the mailed link works
            secrets["new password"] = NEW_PASSWORD

            on_admin = f"/console/webhooks/deliveries/{delivery.id}"
        async with browser(app, team.host) as client:
            admin = await Sessions(client).as_(team, "admin")
            replayed = await post(admin, on_admin, f"{on_admin}/replay", {})
            assert replayed.status_code == 303  # a task through the broker

    assert [r["valid"] for r in receiver.requests] == [True]  # signed with the sealed secret
    assert all(len(value) >= 16 for value in secrets.values()), secrets
    mail_text = "\n".join(mails.values())
    assert all(secrets[f"one-time token {n}"] in mail_text for n in range(3))  # control

    stores = {
        "database": await _database_text(),
        "logs": _log_text(caplog.records),
        "broker": _broker_text(settings.var_dir, database.kind),
    }
    assert "shomei.default.deliver_webhook" in stores["broker"]  # the broker was read
    leaks = [
        (what, where)
        for what, value in secrets.items()
        for where, text in stores.items()
        if value in text
    ]
    assert leaks == []
