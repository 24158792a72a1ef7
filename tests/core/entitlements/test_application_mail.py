"""``core.entitlements.applications`` for any provider (a NACCS-style terminal reissue here):
a paid line under review mails 申込受付 once to the applicant, its completion mails 完了 once,
a reissue sent back to review is a new application under the same receipt number (its own pair
of mails, and it is polled again); a completion that holds a certificate is left to
``certificate.issued``. Through the outbox relay and a real SMTP server."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest

from core.catalog.retail import set_retail_price
from core.context import Context, tenant_scope
from core.contracts.common import PluginAccount, Price
from core.contracts.payments import PaymentOutcome, PaymentState
from core.contracts.providers import ActionRequest
from core.entitlements.actions import perform
from core.entitlements.applications import application_handlers, application_kind
from core.entitlements.deps import EntitlementDeps
from core.entitlements.fulfilment import fulfil_order, poll_due
from core.messaging.mail_events import mail_handlers
from core.messaging.mailer import Mailer
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
from tests.conftest import make_settings
from tests.core.catalog.helpers import make_ctx, make_product
from tests.core.entitlements import application_provider
from tests.core.entitlements.application_provider import CODE, POLL_AFTER, Applications
from tests.core.entitlements.helpers import events, order_entitlements
from tests.core.messaging.helpers import SmtpServer
from tests.web.portal_certificates.provider_plugin import certificate_data
from tests.web.portal_certificates.x509s import make_csr

PUBLIC_URL = "https://shomei.test"


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


class Accounts:
    def __init__(self, **config: object) -> None:
        self.config = config

    async def plugin_account(self, ctx: Context, provider_account_id: int) -> PluginAccount:
        return PluginAccount(config=dict(self.config), credentials={})


def make_deps(**config: object) -> EntitlementDeps:
    pm = build_plugin_manager(load_entrypoints=False, extra=[application_provider])
    return EntitlementDeps(Registry(pm), Accounts(**config))


async def applied(ctx: Context, deps: EntitlementDeps) -> tuple[int, int]:
    """A paid order of one terminal reissue, fulfilled: (order id, entitlement id)."""
    product = await make_product(ctx, code=f"naccs-{secrets.token_hex(3)}", provider_code=CODE)
    await set_retail_price(ctx, product.id, 12, Price(8_000))
    request = OrderRequest("card", (LineInput(product.id),), customer_id=None)
    order_deps = OrderDeps(ProviderGate(deps.registry, deps.accounts), TaxPolicy(Rounding.DOWN))
    order = await create_order(ctx, request, order_deps)
    await transition(ctx, order.id, OrderState.AWAITING_PAYMENT)
    paid = PaymentOutcome(PaymentState.SUCCEEDED, f"pi_{order.id}", "order", order.id, order.total)
    await apply_outcome(ctx, paid, "card")
    assert (await fulfil_order(ctx, order.id, deps)).status == "waiting"
    [row] = await order_entitlements(ctx, order.id)
    return order.id, row["id"]


def test_application_kinds_follow_the_action():
    assert application_kind(None) == "new" and application_kind(None, renews=True) == "renewal"
    assert application_kind("reissue_certificate") == "reissue"
    assert application_kind("redeem") == "new" and application_kind("revoke") == "revocation"
    assert application_kind("change_contact") == "other"


async def test_received_and_completed_once_per_application_and_reissue(database, smtp, tmp_path):
    ctx, deps = make_ctx(), make_deps()
    pm = build_plugin_manager(load_entrypoints=False)
    mailer = Mailer.from_settings(make_settings(tmp_path / "var", database, smtp_url=smtp.url), pm)
    handlers = merge_handlers(
        [application_handlers(lambda: PUBLIC_URL), mail_handlers(lambda: mailer)]
    )

    async def relay() -> None:
        with tenant_scope(ctx.tenant):
            for _ in range(3):
                assert not (await deliver_pending(ctx.tenant, handlers, ctx.clock)).failed

    order_id, entitlement_id = await applied(ctx, deps)
    receipt = f"R{ctx.tenant.id}-{(await order_entitlements(ctx, order_id))[0]['order_line_id']}"
    await relay()
    await relay()  # a redelivery sends nothing twice
    [received] = smtp.inbox.messages()
    assert received["To"] == "shinsei@example.jp"
    assert f"申込受付番号 {receipt}" in str(received["Subject"])
    text = received.get_body(("plain",)).get_content()
    assert "申込 太郎 様" in text and "証明書（新規）" in text  # noqa: RUF001

    Applications.complete(receipt)
    ctx.clock.advance(timedelta(seconds=POLL_AFTER))
    assert (await poll_due(ctx, deps)).completed == [entitlement_id]
    await relay()
    await relay()
    messages = smtp.inbox.messages()
    assert len(messages) == 2
    assert "お申込の手続きが完了しました" in str(messages[1]["Subject"])
    page = f"https://t{ctx.tenant.id}.shomei.test/portal/certificates/{entitlement_id}"
    assert page in messages[1].get_body(("plain",)).get_content()

    again = ctx.with_key("portal:reissue-1")
    await perform(again, entitlement_id, ActionRequest("reissue", {"reason": "expired"}), deps)
    [row] = await order_entitlements(ctx, order_id)
    assert row["state"] == "pending"  # back under review, and due for the poller
    assert row["next_poll_at"] is not None and row["next_poll_at"] > ctx.clock.now()
    assert row["poll_attempts"] == 0, "its polls back off from the first step again"
    await relay()
    Applications.complete(receipt)
    ctx.clock.advance(timedelta(seconds=300))
    assert (await poll_due(ctx, deps)).completed == [entitlement_id]
    await relay()
    await relay()
    subjects = [str(m["Subject"]) for m in smtp.inbox.messages()]
    assert len(subjects) == 4, subjects
    assert "お申込を受け付けました" in subjects[2] and "完了" in subjects[3]
    assert "証明書（再発行）" in smtp.inbox.messages()[2].get_body(("plain",)).get_content()  # noqa: RUF001
    assert len(await events(ctx, "entitlement.issued")) == 2  # the reissue has its own event
    assert len(await events(ctx, "application.received")) == 2
    assert len(await events(ctx, "application.completed")) == 2


async def test_a_completion_holding_a_certificate_is_left_to_certificate_issued(
    database, smtp, tmp_path
):
    ctx = make_ctx()
    pem = certificate_data(make_csr("terminal.example.jp"), ctx.clock.now())["certificate_pem"]
    deps = make_deps(with_certificate=True, pem=pem)
    pm = build_plugin_manager(load_entrypoints=False)
    mailer = Mailer.from_settings(make_settings(tmp_path / "var", database, smtp_url=smtp.url), pm)
    handlers = merge_handlers(
        [application_handlers(lambda: PUBLIC_URL), mail_handlers(lambda: mailer)]
    )
    order_id, entitlement_id = await applied(ctx, deps)
    [row] = await order_entitlements(ctx, order_id)
    Applications.complete(row["upstream_ref"])
    ctx.clock.advance(timedelta(seconds=POLL_AFTER))
    assert (await poll_due(ctx, deps)).completed == [entitlement_id]
    with tenant_scope(ctx.tenant):
        for _ in range(3):
            assert not (await deliver_pending(ctx.tenant, handlers, ctx.clock)).failed
    assert len(await events(ctx, "application.received")) == 1
    assert await events(ctx, "application.completed") == []
    [received] = smtp.inbox.messages()  # only the acknowledgement
    assert "お申込を受け付けました" in str(received["Subject"])
