"""The brand of the console's branding page reaches the tenant's mails: the name as sender,
the uploaded logo at its absolute address on the tenant's host, the footer with the support
address, that address as Reply-To, and buttons whose text reads on the accent colour."""

from __future__ import annotations

import hashlib
from email import message_from_bytes, policy

import pytest

from core import outbox
from core.clock import FrozenClock
from core.context import tenant_scope
from core.links import default_public_url, tenant_url
from core.messaging.mail_events import mail_handlers
from core.messaging.mailer import Mailer
from core.outbox_relay import deliver_pending
from core.plugins import build_plugin_manager
from tenants.branding import store_logo, update_brand
from tests.conftest import make_settings
from tests.core.messaging.helpers import START, SmtpServer, branded_tenant, context
from tests.web.branding.images import picture

ORDER = {
    "to": "taro@example.jp",
    "language": "ja",
    "order_number": "ORD-2026-000123",
    "amount": 11_000,
    "customer_name": "鈴木 太郎",
    "order_url": "https://shop.example.jp/orders/1",
}
BRAND = {
    "name": "さくらSSLストア",
    "primary_colour": "#0A3D62",
    "accent_colour": "#F6B93B",
    "support_email": "support@sakura-ssl.example.jp",
    "footer_text": "© さくらSSLストア株式会社",
}


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


async def test_a_mail_carries_the_brand_logo_support_address_and_reply_to(database, tmp_path, smtp):
    clock = FrozenClock(START)
    tenant = await branded_tenant(clock)
    ctx = context(tenant, clock)
    logo = picture("PNG", (240, 80))
    settings = make_settings(tmp_path / "var", database, smtp_url=smtp.url)
    mailer = Mailer.from_settings(settings, build_plugin_manager(load_entrypoints=False))
    with tenant_scope(tenant):
        await update_brand(ctx, BRAND)
        await store_logo(ctx, logo)
        await outbox.record(ctx, "order", 1, "payment.confirmed", ORDER)
        report = await deliver_pending(tenant, mail_handlers(lambda: mailer), clock)
    assert len(report.delivered) == 1
    message = message_from_bytes(smtp.inbox.raw[0], policy=policy.default)
    assert message["From"].addresses[0].display_name == "さくらSSLストア"
    assert message["Reply-To"] == "support@sakura-ssl.example.jp"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for body in (text, html):
        assert "お問い合わせ: support@sakura-ssl.example.jp" in body
        assert "© さくらSSLストア株式会社" in body
        assert "shomei" not in body.lower()
    version = hashlib.sha256(logo).hexdigest()[:16]
    logo_url = tenant_url(default_public_url(), tenant.slug, f"/brand/logo/{version}")
    assert f'<img src="{logo_url}"' in html and "https://www.example.jp/logo.png" not in html
    assert "background:#F6B93B;color:#1D2433;" in html  # dark text on the amber button
