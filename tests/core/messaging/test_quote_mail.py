"""quote.sent: the quote PDF reaches a real SMTP server (aiosmtpd) attached, once per key."""

import shutil
import subprocess

import pytest

from core.clock import FrozenClock
from core.context import tenant_scope
from core.messaging.mail_events import mail_handlers
from core.messaging.mailer import Mailer, list_messages
from core.orders.lines import LineInput
from core.orders.quote_mail import send_quote
from core.orders.quotes import QuoteRequest, create_quote, delete_quote
from core.outbox_relay import deliver_pending
from core.plugins import build_plugin_manager
from tests.conftest import make_settings
from tests.core.messaging.helpers import START, SmtpServer, branded_tenant, context
from tests.core.orders.helpers import make_deps, priced_product

MEMO = "社内メモ 値引き可"


@pytest.fixture(scope="module")
def pm():
    return build_plugin_manager(load_entrypoints=False)


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


async def test_the_quote_pdf_arrives_attached(database, tmp_path, pm, smtp):
    clock = FrozenClock(START)
    tenant = await branded_tenant(clock)
    ctx = context(tenant, clock).with_key("client-1")
    mailer = Mailer.from_settings(make_settings(tmp_path / "var", database, smtp_url=smtp.url), pm)
    with tenant_scope(tenant):
        product_id = await priced_product(ctx, 10_000)
        request = QuoteRequest(
            lines=(LineInput(product_id, quantity=2),), title="見積り", memo=MEMO
        )
        quote = await create_quote(ctx, request, make_deps())
        sent = await send_quote(ctx, quote.id, "buyer@example.jp", "ja")
        again = await send_quote(ctx, quote.id, "buyer@example.jp", "ja")  # same client key
        await delete_quote(ctx, quote.id)  # the event carries the document as it was sent
        report = await deliver_pending(tenant, mail_handlers(lambda: mailer), clock)
        [record] = await list_messages(ctx)
    assert sent.queued and not again.queued and len(report.delivered) == 1
    [message] = smtp.inbox.messages()
    number = f"Q-{quote.id:06d}"
    assert message["To"] == "buyer@example.jp"
    assert number in message["Subject"] and "しょうめいホスティング" in message["Subject"]
    body = message.get_body(("plain",)).get_content()
    assert "22,000円" in body and "2026/12/22" in body and MEMO not in body
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"{number}.pdf"
    pdf = attachment.get_content()
    assert pdf.startswith(b"%PDF-")
    assert record.attachments == [f"{number}.pdf"] and record.template == "quote_sent"
    assert shutil.which("pdftotext")
    path = tmp_path / "attached.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "見積書" in text and number in text and "社内メモ" not in text
