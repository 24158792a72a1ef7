"""申込受付・完了 mails (``core.entitlements.applications``) for a DigiCert voucher redemption:
the certificate request waits for DCV (one ``application.received`` with the upstream order
number as receipt number), a poll finds it issued — the certificate is then in the
entitlement, so its one mail is ``certificate.issued`` with the portal link (no second 完了
mail) — through the outbox relay and a real SMTP server, in Japanese and English; relaying
again sends nothing twice."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from core.catalog.retail import set_retail_price
from core.catalog.tables import Product
from core.context import Context, tenant_scope
from core.contracts.common import PluginAccount, Price
from core.contracts.payments import PaymentOutcome, PaymentState
from core.contracts.providers import ActionRequest, EntitlementState
from core.entitlements.actions import perform
from core.entitlements.applications import application_handlers
from core.entitlements.deps import EntitlementDeps
from core.entitlements.fulfilment import fulfil_order, poll_due
from core.entitlements.queries import get_entitlement
from core.messaging.mail_events import mail_handlers
from core.messaging.mailer import Mailer, list_messages
from core.money import Rounding
from core.orders.deps import OrderDeps
from core.orders.lifecycle import transition
from core.orders.lines import LineInput
from core.orders.placing import OrderRequest, create_order
from core.orders.providers import ProviderGate
from core.orders.states import OrderState
from core.orders.totals import TaxPolicy
from core.outbox_relay import deliver_pending, merge_handlers
from core.payments.ledger import apply_outcome
from core.plugins import Registry, build_plugin_manager
from core.tables import OutboxEvent
from plugins.digicert.provider import POLL_AFTER
from tenants.customers import create_customer, set_contact
from tenants.tables import Tenant
from tests.conftest import make_settings
from tests.core.messaging.helpers import SmtpServer
from tests.csr_helpers import make_csr
from tests.plugins.digicert.conftest import API_KEY, SANDBOX_EGRESS
from web.portal_certificates.events import certificate_handlers

PUBLIC_URL = "https://shomei.test"
NAMES = ("www.shop.test", "shop.test")


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


def test_the_builtin_messaging_plugin_registers_the_translation():
    pm = build_plugin_manager(load_entrypoints=False)
    handlers = merge_handlers(pm.hook.register_event_handlers())
    assert "announce_received" in [h.__name__ for h in handlers["entitlement.pending"]]
    assert "announce_completed" in [h.__name__ for h in handlers["entitlement.issued"]]
    assert handlers["application.received"] and handlers["application.completed"]


async def _paid_codes(ctx: Context, deps: EntitlementDeps, customer_id: int) -> list[int]:
    """Two voucher codes of a paid order, fulfilled by core.entitlements as the worker does."""
    product = (
        await Product.objects()
        .where((Product.tenant_id == ctx.tenant.id) & (Product.code == "ssl_basic"))
        .first()
    )
    await set_retail_price(ctx, product.id, 12, Price(30_000))
    request = OrderRequest(
        "card", (LineInput(product.id, quantity=2, fqdns=2),), customer_id=customer_id
    )
    order_deps = OrderDeps(ProviderGate(deps.registry, deps.accounts), TaxPolicy(Rounding.DOWN))
    order = await create_order(ctx, request, order_deps)
    await transition(ctx, order.id, OrderState.AWAITING_PAYMENT)
    paid = PaymentOutcome(PaymentState.SUCCEEDED, f"pi_{order.id}", "order", order.id, order.total)
    await apply_outcome(ctx, paid, "card")
    outcome = await fulfil_order(ctx, order.id, deps)
    assert outcome.status == "fulfilled", outcome
    return list(outcome.entitlement_ids)


async def _redeem(ctx: Context, deps: EntitlementDeps, code_id: int, key: str) -> int:
    csr = make_csr(NAMES[0], NAMES)
    params = {"csr": csr, "organization_name": "株式会社テスト", "dcv_method": "http-token"}
    outcome = await perform(ctx.with_key(key), code_id, ActionRequest("redeem", params), deps)
    assert outcome.new_entitlement is not None
    assert outcome.new_entitlement.state is EntitlementState.PENDING  # waiting for DCV
    return outcome.new_entitlement.id


async def _events(ctx: Context, event_type: str) -> list[dict]:
    return await (
        OutboxEvent.select(OutboxEvent.payload)
        .where((OutboxEvent.tenant_id == ctx.tenant.id) & (OutboxEvent.event_type == event_type))
        .order_by(OutboxEvent.id)
        .output(load_json=True)
        .run()
    )


async def test_a_redemption_waiting_for_dcv_mails_received_then_completed_once(
    shop, upstream, smtp, tmp_path, database
):
    clock = upstream.clock
    ctx = shop.ctx
    pm = build_plugin_manager(load_entrypoints=False)
    deps = EntitlementDeps(Registry(pm), SandboxAccounts(upstream.api_url))
    mailer = Mailer.from_settings(make_settings(tmp_path / "var", database, smtp_url=smtp.url), pm)
    application_mail = {  # the voucher order's invoice mail is another test's
        event_type: handler
        for event_type, handler in mail_handlers(lambda: mailer).items()
        if event_type.startswith(("application.", "certificate."))
    }
    handlers = merge_handlers(
        [
            application_handlers(lambda: PUBLIC_URL),
            certificate_handlers(lambda: PUBLIC_URL),
            application_mail,
        ]
    )

    async def relay(tenant_ctx: Context) -> None:
        for _ in range(3):  # the follow-up events are delivered on the next pass
            report = await deliver_pending(tenant_ctx.tenant, handlers, clock)
            assert not report.failed, report

    with tenant_scope(shop.tenant):
        customer_id = await create_customer(
            ctx, "株式会社サンプル", "1040061", "東京都", "中央区銀座6-10-1", "0345603971"
        )
        await set_contact(
            ctx, customer_id, "technical", "技術 次郎", "gijutsu@example.jp", "0311112222"
        )
        await set_contact(
            ctx, customer_id, "billing", "経理 花子", "keiri@example.jp", "0311112222"
        )
        first_code, second_code = await _paid_codes(ctx, deps, customer_id)
        await relay(ctx)
        assert smtp.inbox.messages() == []  # voucher codes are no application

        certificate_id = await _redeem(ctx, deps, first_code, "portal:form-1")
        pending = await get_entitlement(ctx, certificate_id)
        receipt = pending.upstream_ref
        assert receipt and pending.customer_id == customer_id
        await relay(ctx)
        await relay(ctx)  # a redelivery sends nothing twice
        [received] = smtp.inbox.messages()
        assert received["To"] == "gijutsu@example.jp"
        assert f"お申込を受け付けました（申込受付番号 {receipt}）" in str(received["Subject"])  # noqa: RUF001
        text = received.get_body(("plain",)).get_content()
        assert receipt in text and "技術 次郎 様" in text
        assert "ベーシックOV（新規）" in text  # noqa: RUF001

        clock.advance(timedelta(seconds=POLL_AFTER))
        assert (await poll_due(ctx, deps)).completed == []  # DCV not passed yet
        await relay(ctx)
        assert len(smtp.inbox.messages()) == 1  # still pending: no completion

        for name in NAMES:
            upstream.tokens.serve_token(name, pending.data["dcv_random_value"])
        clock.advance(timedelta(seconds=POLL_AFTER))
        assert (await poll_due(ctx, deps)).completed == [certificate_id]
        await relay(ctx)
        await relay(ctx)
        messages = smtp.inbox.messages()
        assert len(messages) == 2, [str(m["Subject"]) for m in messages]
        completed = messages[1]  # the certificate is in hand: its mail, not a second 完了
        assert completed["To"] == "gijutsu@example.jp"
        assert f"証明書を発行しました（{NAMES[0]}）" in str(completed["Subject"])  # noqa: RUF001
        done = completed.get_body(("plain",)).get_content()
        page = f"https://{shop.tenant.slug}.shomei.test/portal/certificates/{certificate_id}"
        assert page in done

        # the tenant writes in English: the second code's application in English
        await Tenant.update({Tenant.language: "en"}).where(Tenant.id == shop.tenant.id)
        english = replace(ctx, tenant=replace(shop.tenant, language="en"))
        second = await _redeem(english, deps, second_code, "portal:form-2")
        second_pending = await get_entitlement(english, second)
        second_receipt = second_pending.upstream_ref
        assert second_receipt and second_receipt != receipt
        for name in NAMES:
            upstream.tokens.serve_token(name, second_pending.data["dcv_random_value"])
        clock.advance(timedelta(seconds=POLL_AFTER))
        assert (await poll_due(english, deps)).completed == [second]
        await relay(english)
        await relay(english)
        sent = await list_messages(ctx)

    messages = smtp.inbox.messages()
    assert len(messages) == 4, [str(m["Subject"]) for m in messages]
    en_received, en_completed = messages[2:]
    assert f"Application {second_receipt} received" in str(en_received["Subject"])
    en_text = en_received.get_body(("plain",)).get_content()
    assert "Basic OV (new)" in en_text and "Dear 技術 次郎" in en_text
    assert f"Your certificate for {NAMES[0]} is issued" in str(en_completed["Subject"])
    assert f"/portal/certificates/{second}" in en_completed.get_body(("plain",)).get_content()
    assert sorted(m.template for m in sent) == sorted(
        ["application_received", "certificate_issued"] * 2
    )
    with tenant_scope(shop.tenant):
        assert len(await _events(ctx, "application.received")) == 2
        assert len(await _events(ctx, "application.completed")) == 0
        assert len(await _events(ctx, "certificate.issued")) == 2
