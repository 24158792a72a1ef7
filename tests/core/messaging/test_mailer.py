from datetime import timedelta
from email import message_from_bytes, policy

import pytest

from core import outbox
from core.billing import invoices
from core.clock import FrozenClock
from core.context import tenant_scope
from core.messaging.events import MAIL_KINDS
from core.messaging.mail_events import mail_handlers
from core.messaging.mail_secrets import seal_fields
from core.messaging.mailer import Mailer, MailRequest, list_messages
from core.messaging.tables import MailMessage
from core.outbox_relay import deliver_pending
from core.plugins import build_plugin_manager
from core.sealing import Keyring
from core.tables import OutboxEvent
from tests.conftest import TEST_SECRET, make_settings
from tests.core.billing.factories import draft
from tests.core.messaging.helpers import START, SmtpServer, branded_tenant, context

ORDER = {
    "to": "taro@example.jp",
    "language": "ja",
    "order_number": "ORD-1031",
    "amount": 11_000,
    "customer_name": "鈴木 太郎",
    "order_url": "https://shop.example.jp/orders/1031",
}


@pytest.fixture(scope="module")
def pm():
    return build_plugin_manager(load_entrypoints=False)


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


def mailer_for(tmp_path, database, pm, smtp_url: str = "") -> Mailer:
    extra = {"smtp_url": smtp_url} if smtp_url else {}
    return Mailer.from_settings(make_settings(tmp_path / "var", database, **extra), pm)


async def test_a_japanese_mail_arrives_with_both_parts_and_branding(database, tmp_path, pm, smtp):
    clock = FrozenClock(START)
    tenant = await branded_tenant(clock)
    ctx = context(tenant, clock)
    mailer = mailer_for(tmp_path, database, pm, smtp.url)
    with tenant_scope(tenant):
        await outbox.record(ctx, "order", 1031, "payment.confirmed", ORDER)
        report = await deliver_pending(tenant, mail_handlers(lambda: mailer), clock)
    assert len(report.delivered) == 1
    assert len(smtp.inbox.raw) == 1
    raw = smtp.inbox.raw[0]
    wire = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")  # the wire is 7-bit clean
    headers = wire.replace("\r\n ", " ").replace("\r\n\t", " ").lower()  # unfolded
    subject_line = next(line for line in headers.splitlines() if line.startswith("subject:"))
    assert "=?utf-8?" in subject_line.lower()  # RFC 2047 encoded words
    assert "=?utf-8?" in next(line for line in headers.splitlines() if line.startswith("from:"))
    message = message_from_bytes(raw, policy=policy.default)
    subject = "【しょうめいホスティング】入金確認済のお知らせ（注文番号 ORD-1031）"  # noqa: RUF001
    assert message["Subject"] == subject
    assert message["To"] == "taro@example.jp"
    assert message["From"].addresses[0].display_name == "しょうめいホスティング"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text.get_content_charset() == "utf-8" and html.get_content_charset() == "utf-8"
    assert "入金確認済" in text.get_content() and "鈴木 太郎 様" in text.get_content()
    assert "11,000円" in text.get_content()
    body = html.get_content()
    assert "https://www.example.jp/logo.png" in body and "#123456" in body
    assert "〒104-0061 東京都中央区銀座6-10-1" in body and "入金確認済" in body

    with tenant_scope(tenant):
        [record] = await list_messages(ctx)
    assert record.status == "sent" and record.transport == "smtp" and record.attempts == 1
    assert record.message_id == message["Message-ID"] and record.sent_at == clock.now()
    assert record.template == "payment_confirmed" and record.language == "ja"
    assert record.idempotency_key.endswith("payment.confirmed")


async def test_english_recipient_gets_english(database, tmp_path, pm, smtp):
    clock = FrozenClock(START)
    tenant = await branded_tenant(clock, name="Shomei Hosting")
    ctx = context(tenant, clock)
    mailer = mailer_for(tmp_path, database, pm, smtp.url)
    payload = {**ORDER, "language": "en", "to": ["a@example.com", "b@example.com"]}
    with tenant_scope(tenant):
        await outbox.record(ctx, "order", 7, "order.received", {**payload, "total": 1100})
        await deliver_pending(tenant, mail_handlers(lambda: mailer), clock)
    messages = smtp.inbox.messages()
    assert sorted(m["To"] for m in messages) == ["a@example.com", "b@example.com"]
    assert messages[0]["Subject"] == "[Shomei Hosting] We have received your order ORD-1031"
    assert "Dear 鈴木 太郎," in messages[0].get_body(("plain",)).get_content()


async def test_smtp_down_keeps_the_event_and_sends_once_when_back(database, tmp_path, pm):
    clock = FrozenClock(START)
    tenant = await branded_tenant(clock)
    ctx = context(tenant, clock)
    server = SmtpServer()  # its port is chosen, but nothing listens yet
    mailer = mailer_for(tmp_path, database, pm, server.url)
    handlers = mail_handlers(lambda: mailer)
    with tenant_scope(tenant):
        await outbox.record(ctx, "order", 1, "payment.confirmed", ORDER)
        first = await deliver_pending(tenant, handlers, clock)
        assert len(first.failed) == 1 and first.delivered == []
        event = await OutboxEvent.objects().get(OutboxEvent.id == first.failed[0]).run()
        assert event.delivered_at is None and event.attempts == 1
        assert "ConnectionRefused" in event.last_error
        [record] = await list_messages(ctx)
        assert record.status == "failed" and "ConnectionRefused" in record.last_error
        server.start()
        try:
            clock.advance(timedelta(minutes=1))
            second = await deliver_pending(tenant, handlers, clock)
            third = await deliver_pending(tenant, handlers, clock)
        finally:
            server.stop()
        assert second.delivered == first.failed and third.delivered == []
        [record] = await list_messages(ctx)
    assert record.status == "sent" and record.attempts == 2 and record.last_error == ""
    assert len(server.inbox.raw) == 1


async def test_a_redelivered_event_never_sends_twice(database, tmp_path, pm, smtp):
    clock = FrozenClock(START)
    tenant = await branded_tenant(clock)
    ctx = context(tenant, clock)
    mailer = mailer_for(tmp_path, database, pm, smtp.url)
    kind = MAIL_KINDS["payment.confirmed"]
    request = MailRequest(kind, "taro@example.jp", "ja", ORDER, "evt-1")
    with tenant_scope(tenant):
        first = await mailer.send(ctx, request)
        again = await mailer.send(ctx, request)  # e.g. a crash before the delivery mark
        other = await mailer.send(ctx, MailRequest(kind, "hanako@example.jp", "ja", ORDER, "evt-1"))
        rows = await MailMessage.select().where(MailMessage.tenant_id == tenant.id).run()
    assert first.id == again.id and other.id != first.id
    assert len(rows) == 2 and len(smtp.inbox.raw) == 2


async def test_invoice_issued_attaches_the_invoice_pdf(database, tmp_path, pm, smtp):
    clock = FrozenClock(START)
    tenant = await branded_tenant(clock)
    ctx = context(tenant, clock)
    mailer = mailer_for(tmp_path, database, pm, smtp.url)
    with tenant_scope(tenant):
        invoice = await invoices.create_invoice(ctx, draft(source_id="mail-1"))
        await deliver_pending(tenant, mail_handlers(lambda: mailer), clock)
        [record] = await list_messages(ctx)
    [message] = smtp.inbox.messages()
    assert message["To"] == invoice.recipient.email  # no `to`: the invoice's recipient
    assert message.get_content_type() == "multipart/mixed"
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"{invoice.number}.pdf"
    assert attachment.get_content().startswith(b"%PDF-")
    assert invoice.number in message["Subject"]
    assert "2026/12/31" in message.get_body(("plain",)).get_content()  # due date from invoice
    assert record.attachments == [f"{invoice.number}.pdf"]


async def test_without_smtp_url_the_mail_is_written_to_var_mail(database, tmp_path, pm):
    clock = FrozenClock(START)
    tenant = await branded_tenant(clock)
    ctx = context(tenant, clock)
    mailer = mailer_for(tmp_path, database, pm)
    link = {"reset_url": "https://x.example.jp/reset?t=abc"}
    reset = {"to": "owner@example.jp", "sealed": seal_fields(Keyring(TEST_SECRET), tenant.id, link)}
    with tenant_scope(tenant):
        await outbox.record(ctx, "staff", 1, "auth.password_reset_requested", reset)
        await deliver_pending(tenant, mail_handlers(lambda: mailer), clock)
        [record] = await list_messages(ctx)
    [eml] = list((tmp_path / "var" / "mail").glob("*.eml"))
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert message["Message-ID"] == record.message_id and record.transport == "file"
    assert "https://x.example.jp/reset?t=abc" in message.get_body(("plain",)).get_content()


async def test_an_event_without_recipient_sends_nothing(database, tmp_path, pm, smtp):
    clock = FrozenClock(START)
    tenant = await branded_tenant(clock)
    ctx = context(tenant, clock)
    mailer = mailer_for(tmp_path, database, pm, smtp.url)
    with tenant_scope(tenant):
        await outbox.record(ctx, "order", 5, "order.received", {"order_number": "5", "total": 1})
        report = await deliver_pending(tenant, mail_handlers(lambda: mailer), clock)
        assert await list_messages(ctx) == []
    assert len(report.delivered) == 1 and smtp.inbox.raw == []


async def test_a_broken_payload_is_recorded_as_failed(database, tmp_path, pm, smtp):
    clock = FrozenClock(START)
    tenant = await branded_tenant(clock)
    ctx = context(tenant, clock)
    mailer = mailer_for(tmp_path, database, pm, smtp.url)
    with tenant_scope(tenant):
        await outbox.record(ctx, "order", 6, "order.received", {"to": "x@example.jp"})
        report = await deliver_pending(tenant, mail_handlers(lambda: mailer), clock)
        [record] = await list_messages(ctx)
    assert len(report.failed) == 1
    assert record.status == "failed" and "order_number" in record.last_error


async def test_messages_are_listed_newest_first_per_tenant(database, tmp_path, pm, smtp):
    clock = FrozenClock(START)
    tenant = await branded_tenant(clock)
    other = await branded_tenant(clock)
    mailer = mailer_for(tmp_path, database, pm, smtp.url)
    kind = MAIL_KINDS["payment.confirmed"]
    with tenant_scope(tenant):
        for n in range(3):
            await mailer.send(
                context(tenant, clock), MailRequest(kind, "a@x.jp", "ja", ORDER, f"k{n}")
            )
        listed = await list_messages(context(tenant, clock))
    with tenant_scope(other):
        assert await list_messages(context(other, clock)) == []
    assert [m.idempotency_key for m in listed] == ["k2", "k1", "k0"]


async def test_a_token_link_in_clear_is_refused_by_the_mail_step(database, tmp_path, pm):
    """Issue 13, defect 3: a one-time-token link may reach the outbox only sealed."""
    clock = FrozenClock(START)
    tenant = await branded_tenant(clock)
    ctx = context(tenant, clock)
    mailer = mailer_for(tmp_path, database, pm)
    clear = {"to": "owner@example.jp", "reset_url": "https://x.example.jp/reset?token=abc"}
    with tenant_scope(tenant):
        await outbox.record(ctx, "staff", 2, "auth.password_reset_requested", clear)
        report = await deliver_pending(tenant, mail_handlers(lambda: mailer), clock)
        assert report.failed and await list_messages(ctx) == []
    assert not list((tmp_path / "var" / "mail").glob("*.eml"))
