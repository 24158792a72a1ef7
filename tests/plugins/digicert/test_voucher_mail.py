"""バウチャー納品のお知らせ (``plugins/digicert/voucher_mail.py``): a voucher order's codes are
mailed once to the tenant's 事務担当者, in the tenant's language, with the voucher PDF (and the
pay-as-you-go invoice PDF) attached, through the outbox relay and a real SMTP server; a
replayed fulfilment or relay mails nothing twice; a tenant's mail never carries another's
codes. And ``register_mail_attachments``, the hook that attaches the PDFs."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import pytest

from core.billing.invoices import get_invoice
from core.catalog.retail import set_retail_price
from core.catalog.tables import Product
from core.clock import FrozenClock
from core.context import Actor, Context, TenantRef, tenant_scope
from core.contracts.common import PluginAccount, Price
from core.contracts.payments import PaymentOutcome, PaymentState
from core.entitlements.deps import EntitlementDeps
from core.entitlements.fulfilment import fulfil_order
from core.entitlements.queries import get_entitlement
from core.hookspecs import hookimpl
from core.messaging.mail_events import mail_handlers, mail_requests
from core.messaging.mailer import Attachment, Mailer, attachment_builders, list_messages
from core.money import Rounding
from core.orders.deps import OrderDeps
from core.orders.lifecycle import transition
from core.orders.lines import LineInput, PricedLine
from core.orders.placing import OrderRequest, create_order
from core.orders.providers import ProviderGate
from core.orders.states import OrderState
from core.orders.tables import OrderLine
from core.orders.totals import TaxPolicy
from core.outbox_relay import Event, deliver_pending
from core.payments.ledger import apply_outcome
from core.plugins import Registry, build_plugin_manager
from core.tables import OutboxEvent
from plugins.digicert.client import CertCentralClient
from plugins.digicert.tables import DcVoucherOrder
from plugins.digicert.views import VoucherOrderView, get_voucher_order
from plugins.digicert.voucher_mail import DELIVERED, delivered_attachments
from plugins.digicert.voucher_pdfs import IMMEDIATE_MAX
from plugins.digicert.vouchers import VoucherLineIn, VoucherOrderIn, place_voucher_order
from tenants.customers import create_customer, set_contact
from tenants.tables import Tenant
from tests.conftest import make_settings
from tests.core.messaging.helpers import SmtpServer
from tests.plugins.digicert.conftest import API_KEY, SANDBOX_EGRESS
from tests.plugins.digicert.shop import Shop, add_digicert, forget_account
from tests.tenants.helpers import active_tenant
from tests.workers.job_helpers import pdf_text


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


class SandboxAccounts:
    def __init__(self, api_url: str) -> None:
        self.api_url = api_url

    async def plugin_account(self, ctx: Context, provider_account_id: int) -> PluginAccount:
        return PluginAccount(
            config={"base_url": self.api_url},
            credentials={"api_key": API_KEY},
            egress=SANDBOX_EGRESS,
        )


def voucher_mail_handlers(mailer: Mailer) -> dict[str, list[Any]]:
    """The mail handler of ``voucher.delivered`` only (the invoice mail is another test's)."""
    return {DELIVERED: mail_handlers(lambda: mailer)[DELIVERED]}


async def relay(tenant: TenantRef, handlers: dict[str, list[Any]], clock: FrozenClock) -> None:
    report = await deliver_pending(tenant, handlers, clock)
    assert not report.failed, report


async def set_admin_contact(tenant: TenantRef, name: str, email: str, language: str) -> None:
    """The tenant's 事務担当者 (the billing contact of its provider invoices) and language."""
    await Tenant.update(
        {Tenant.contact_name: name, Tenant.contact_email: email, Tenant.language: language}
    ).where(Tenant.id == tenant.id)


async def delivered_events(ctx: Context) -> list[dict[str, Any]]:
    return await (
        OutboxEvent.select()
        .where((OutboxEvent.tenant_id == ctx.tenant.id) & (OutboxEvent.event_type == DELIVERED))
        .order_by(OutboxEvent.id)
        .output(load_json=True)
        .run()
    )


def attachments(message: EmailMessage) -> dict[str, bytes]:
    found = {}
    for part in message.iter_attachments():
        assert part.get_content_type() == "application/pdf"
        found[part.get_filename()] = part.get_content()
    return found


async def paid_voucher_line(ctx: Context, deps: EntitlementDeps, quantity: int) -> int:
    """A customer's card order of ``quantity`` vouchers, paid; its id (not fulfilled yet)."""
    customer_id = await create_customer(
        ctx, "株式会社サンプル", "1040061", "東京都", "中央区銀座6-10-1", "0345603971"
    )
    await set_contact(ctx, customer_id, "billing", "経理 次郎", "keiri@customer.test", "0311112222")
    product = (
        await Product.objects()
        .where((Product.tenant_id == ctx.tenant.id) & (Product.code == "ssl_basic"))
        .first()
    )
    await set_retail_price(ctx, product.id, 12, Price(30_000))
    request = OrderRequest(
        "card", (LineInput(product.id, quantity=quantity, fqdns=1),), customer_id=customer_id
    )
    order_deps = OrderDeps(ProviderGate(deps.registry, deps.accounts), TaxPolicy(Rounding.DOWN))
    order = await create_order(ctx, request, order_deps)
    await transition(ctx, order.id, OrderState.AWAITING_PAYMENT)
    paid = PaymentOutcome(PaymentState.SUCCEEDED, f"pi_{order.id}", "order", order.id, order.total)
    await apply_outcome(ctx, paid, "card")
    return order.id


async def paid_line_request(ctx: Context, order_id: int) -> tuple[Any, int]:
    """The order's voucher line as ``fulfil_order`` hands it to the provider, and its id."""
    row = await (
        OrderLine.select()
        .where((OrderLine.order == order_id) & (OrderLine.tenant_id == ctx.tenant.id))
        .first()
        .run()
    )
    return replace(PricedLine.from_row(row).as_request(), line_id=row["id"]), row["id"]


async def test_a_paid_voucher_order_mails_its_codes_once_to_the_administrative_contact(
    shop, upstream, smtp, tmp_path, database
):
    clock = upstream.clock
    ctx = shop.ctx
    pm = build_plugin_manager(load_entrypoints=False)
    deps = EntitlementDeps(Registry(pm), SandboxAccounts(upstream.api_url))
    mailer = Mailer.from_settings(make_settings(tmp_path / "var", database, smtp_url=smtp.url), pm)
    handlers = voucher_mail_handlers(mailer)
    await set_admin_contact(shop.tenant, "事務 花子", "jimu@shop-a.test", "ja")

    with tenant_scope(shop.tenant):
        order_id = await paid_voucher_line(ctx, deps, quantity=2)
        outcome = await fulfil_order(ctx, order_id, deps)
        assert outcome.status == "fulfilled", outcome
        first = await get_entitlement(ctx, outcome.entitlement_ids[0])
        voucher_order = await get_voucher_order(ctx, int(first.data["voucher_order_id"]))
        codes = sorted(code.value for code in voucher_order.codes)
        assert len(codes) == 2 and voucher_order.invoice_id is not None  # pay-as-you-go

        # a fulfilment replayed after a crash before the order was marked completed: the
        # provider resumes the pending voucher order under the same key
        await DcVoucherOrder.update({DcVoucherOrder.status: "pending"}).where(
            DcVoucherOrder.id == voucher_order.id
        )
        provider = await deps.provider(ctx, first.provider_code, first.provider_account_id)
        line = await paid_line_request(ctx, order_id)
        again = await provider.fulfil(ctx.with_key(f"order:{order_id}:line:{line[1]}"), line[0])
        assert sorted(r.upstream_ref for r in again) == codes  # the same codes, not new ones
        assert (await get_voucher_order(ctx, voucher_order.id)).status == "completed"

        [event] = await delivered_events(ctx)
        await relay(shop.tenant, handlers, clock)
        await relay(shop.tenant, handlers, clock)  # nothing left to send
        await OutboxEvent.update({OutboxEvent.delivered_at: None}).where(
            OutboxEvent.id == event["id"]
        )
        await relay(shop.tenant, handlers, clock)  # a redelivered event sends nothing twice
        sent = await list_messages(ctx)
        invoice = await get_invoice(ctx, voucher_order.invoice_id)

    [message] = smtp.inbox.messages()
    assert message["To"] == "jimu@shop-a.test"  # the 事務担当者, not the customer's contact
    number = str(voucher_order.upstream_id)
    assert event["payload"]["order_number"] == number
    assert f"バウチャーコードのお届け（注文番号 {number}）" in str(message["Subject"])  # noqa: RUF001
    assert message["Content-Language"] == "ja"
    text = message.get_body(("plain",)).get_content()
    assert "事務 花子 様" in text and all(code in text for code in codes)
    files = attachments(message)
    voucher_pdf = f"vouchers-{number}-ja.pdf"
    # the invoice is not attached again: its own invoice.issued mail brings it
    assert list(files) == [voucher_pdf] and f"{invoice.number}.pdf" not in files
    assert files[voucher_pdf].startswith(b"%PDF-")
    pages = pdf_text(files[voucher_pdf], tmp_path)
    assert all(code in pages for code in codes)
    assert "バウチャーコードリンク" in pages and "バウチャー有効期限" in pages
    assert pages.count("\f") == 2  # one page per code
    [record] = sent
    assert (record.event_type, record.status, record.recipient) == (
        DELIVERED,
        "sent",
        "jimu@shop-a.test",
    )
    assert sorted(record.attachments) == sorted(files)


async def staff_voucher_order(
    shop: Shop, api_url: str, key: str, quantity: int
) -> VoucherOrderView:
    line = VoucherLineIn("ssl_basic", quantity=quantity, years=1, fqdns=1, wildcards=0)
    request = VoucherOrderIn("bank_transfer", (line,), customer_name="株式会社サンプル")
    async with CertCentralClient(API_KEY, api_url, timeout=30) as api:
        with tenant_scope(shop.tenant):
            return await place_voucher_order(shop.ctx.with_key(key), api, request)


async def test_each_tenant_gets_its_own_codes_in_its_own_language(
    shop, upstream, smtp, tmp_path, database, settings
):
    clock = upstream.clock
    pm = build_plugin_manager(load_entrypoints=False)
    mailer = Mailer.from_settings(make_settings(tmp_path / "var", database, smtp_url=smtp.url), pm)
    handlers = voucher_mail_handlers(mailer)
    made, _ = await active_tenant(clock)
    english = TenantRef(id=made.tenant.id, slug=made.tenant.slug, language="en")
    other = await add_digicert(settings, clock, upstream.api_url, english, made.owner_id)
    try:
        await set_admin_contact(shop.tenant, "事務 花子", "jimu@shop-a.test", "ja")
        await set_admin_contact(other.tenant, "Jane Admin", "admin@shop-b.test", "en")
        mine = await staff_voucher_order(shop, upstream.api_url, "console-a", 1)
        theirs = await staff_voucher_order(other, upstream.api_url, "console-b", 2)
        # placing again with the same key (a double submit) returns the order, no new mail
        assert (await staff_voucher_order(other, upstream.api_url, "console-b", 2)).id == theirs.id

        await relay(shop.tenant, handlers, clock)
        only_mine = smtp.inbox.messages()
        await relay(other.tenant, handlers, clock)
        with tenant_scope(other.tenant):
            assert len(await delivered_events(other.ctx)) == 1
    finally:
        await forget_account(other)

    assert [m["To"] for m in only_mine] == ["jimu@shop-a.test"]
    a_mail, b_mail = smtp.inbox.messages()
    assert (a_mail["To"], b_mail["To"]) == ("jimu@shop-a.test", "admin@shop-b.test")
    my_codes = [c.value for c in mine.codes]
    their_codes = [c.value for c in theirs.codes]
    assert not set(my_codes) & set(their_codes)

    a_files = attachments(a_mail)
    a_pdf = pdf_text(a_files[f"vouchers-{mine.upstream_id}-ja.pdf"], tmp_path)
    a_text = a_mail.get_body(("plain",)).get_content()
    assert all(code in a_text and code in a_pdf for code in my_codes)
    assert not any(code in a_text or code in a_pdf for code in their_codes)
    # one code: the button is the tenant's redeem page for it, not the upstream's link
    assert f"/digicert/redeem?vc={mine.codes[0].value}" in a_text
    assert mine.codes[0].redeem_link not in a_text

    assert b_mail["Content-Language"] == "en"
    assert f"Your voucher codes for order {theirs.upstream_id}" in str(b_mail["Subject"])
    b_text = b_mail.get_body(("plain",)).get_content()
    assert "Dear Jane Admin" in b_text and "Voucher codes" in b_text
    b_files = attachments(b_mail)
    b_pdf = pdf_text(b_files[f"vouchers-{theirs.upstream_id}-en.pdf"], tmp_path)
    assert "Voucher code link" in b_pdf and b_pdf.count("\f") == 2
    assert all(code in b_text and code in b_pdf for code in their_codes)
    assert not any(code in b_text or code in b_pdf for code in my_codes)


async def test_a_big_order_is_mailed_without_the_voucher_pdf(
    shop, upstream, smtp, tmp_path, database
):
    """More codes than the console renders at once: laying them out inside the relay could
    outlast its task; the mail lists every code and links to the console's PDF download."""
    pm = build_plugin_manager(load_entrypoints=False)
    mailer = Mailer.from_settings(make_settings(tmp_path / "var", database, smtp_url=smtp.url), pm)
    big = await staff_voucher_order(shop, upstream.api_url, "console-big", IMMEDIATE_MAX + 1)
    await relay(shop.tenant, voucher_mail_handlers(mailer), upstream.clock)
    [message] = smtp.inbox.messages()
    assert list(attachments(message)) == []
    text = message.get_body(("plain",)).get_content()
    assert all(code.value in text for code in big.codes)
    assert f"{shop.tenant.slug}." in text and f"/console/vouchers/{big.id}/pdf" in text
    assert "管理画面からダウンロードしてください" in text


class ReceiptPlugin:
    """A third-party plugin attaching a file of its own to ``order.received``."""

    @hookimpl
    def register_mail_attachments(self) -> dict[str, Any]:
        async def receipt(ctx: Context, event: Event) -> list[Attachment]:
            body = f"order {event.payload['order_number']} of tenant {ctx.tenant.id}"
            return [Attachment("receipt.txt", "text/plain", body.encode())]

        return {"order.received": receipt}


async def test_hook_register_mail_attachments():
    pm = build_plugin_manager(load_entrypoints=False, extra=[ReceiptPlugin()])
    builders = attachment_builders(pm)
    assert builders[DELIVERED] == [delivered_attachments]  # the built-in DigiCert plugin's
    assert len(builders["order.received"]) == 1
    clock = FrozenClock(datetime(2026, 11, 22, tzinfo=UTC))
    ctx = Context(TenantRef(id=77, slug="t77", language="ja"), Actor.system("test"), clock)
    event = Event(
        1, 77, "order", "5", "order.received",
        {"to": "a@example.jp", "order_number": "A-5", "total": 1100},
        "77:order:5:received", clock.now(),
    )  # fmt: skip
    [request] = await mail_requests(ctx, event, builders)
    assert [(a.filename, a.data) for a in await request.attachments()] == [
        ("receipt.txt", b"order A-5 of tenant 77")
    ]
    [plain] = await mail_requests(ctx, event)  # without builders: no files
    assert list(await plain.attachments()) == []
    # another provider's voucher.delivered is none of the DigiCert builder's business
    foreign = Event(2, 77, "acme_voucher_order", "9", DELIVERED, {}, "k", event.created_at)
    assert await delivered_attachments(ctx, foreign) == []


async def test_a_single_code_mail_links_to_the_tenants_redeem_page_not_the_upstream(shop, upstream):
    from core.links import default_public_url, tenant_url

    order = await staff_voucher_order(shop, upstream.api_url, "one-code-mail", 1)
    with tenant_scope(shop.tenant):
        [event] = await delivered_events(shop.ctx)
    [code] = order.codes
    expected = tenant_url(
        default_public_url(), shop.tenant.slug, f"/digicert/redeem?vc={code.value}"
    )
    assert event["payload"]["redeem_url"] == expected
    assert code.redeem_link != expected  # the upstream's own link is not what the mail gives
