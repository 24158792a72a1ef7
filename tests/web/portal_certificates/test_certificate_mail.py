"""A certificate issued (``entitlement.issued`` from ``core.entitlements``) reaches the customer
as the 「証明書を発行しました」 mail in the tenant's language, by SMTP through the outbox relay,
and tenants' webhooks hear of the entitlement and the certificate; a voucher code (no
certificate) sends no certificate mail."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.clock import FrozenClock
from core.context import Actor, Context, tenant_scope
from core.contracts.providers import EntitlementState, FulfilmentResult
from core.entitlements.storing import store_line_results
from core.messaging.mail_events import mail_handlers
from core.messaging.mailer import Mailer
from core.messaging.webhooks import attempt, claim_due, create_endpoint, webhook_handlers
from core.outbox_relay import deliver_pending, merge_handlers
from core.plugins import build_plugin_manager
from core.tables import OutboxEvent
from tenants.customers import set_contact
from tenants.tables import Tenant
from tests.conftest import make_settings
from tests.core.messaging.helpers import Receiver, SmtpServer, guard
from tests.web.browser import START, make_shop
from tests.web.portal_certificates.helpers import shop_customer_id
from tests.web.portal_certificates.provider_plugin import CODE, certificate_data
from tests.web.portal_certificates.x509s import make_csr
from web.portal_certificates.certificate import certificate_facts
from web.portal_certificates.events import certificate_handlers

PUBLIC_URL = "https://shomei.test"


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


def test_the_web_plugin_follows_entitlement_issued_with_the_certificate_mail():
    pm = build_plugin_manager(load_entrypoints=False)
    handlers = merge_handlers(pm.hook.register_event_handlers()[::-1])
    names = [handler.__name__ for handler in handlers["entitlement.issued"]]
    assert "announce_certificate" in names
    assert handlers["certificate.issued"]  # mail and webhooks


async def _issue(ctx: Context, customer_id: int, line_id: int, data: dict) -> int:
    """An order line's result stored by core.entitlements (which writes entitlement.issued)."""
    order = {"id": 9000 + line_id, "customer_id": customer_id, "payment_method": "card"}
    line = {
        "id": line_id,
        "provider_code": CODE,
        "provider_account_id": None,
        "product_code": "portal-ov",
    }
    now = ctx.clock.now()
    result = FulfilmentResult(
        EntitlementState.ISSUED, data=data, issued_at=now, expires_at=now + timedelta(days=365)
    )
    with tenant_scope(ctx.tenant):
        [entitlement_id] = await store_line_results(ctx, order, line, [result])
    return entitlement_id


async def test_issued_certificate_is_mailed_in_ja_and_en_and_reaches_webhooks(
    smtp, tmp_path, database
):
    clock = FrozenClock(START)
    shop = await make_shop(clock)
    customer_id = await shop_customer_id(shop)
    ctx = Context(shop.tenant, Actor.system("test"), clock)
    with tenant_scope(shop.tenant):
        await set_contact(
            ctx, customer_id, "technical", "技術 次郎", "gijutsu@example.jp", "03-1111-2222"
        )
        await set_contact(
            ctx, customer_id, "billing", "経理 花子", "keiri@example.jp", "0311112222"
        )
    pm = build_plugin_manager(load_entrypoints=False)
    mailer = Mailer.from_settings(make_settings(tmp_path / "var", database, smtp_url=smtp.url), pm)
    handlers = merge_handlers(
        [
            certificate_handlers(lambda: PUBLIC_URL),
            mail_handlers(lambda: mailer),
            webhook_handlers(),
        ]
    )

    async def relay() -> None:
        with tenant_scope(shop.tenant):
            for _ in range(2):  # the follow-up event is delivered on the next pass
                report = await deliver_pending(shop.tenant, handlers, clock)
                assert not report.failed, report

    with Receiver() as receiver:
        with tenant_scope(shop.tenant):
            _, secret = await create_endpoint(
                ctx, receiver.url, ["entitlement.issued", "certificate.issued"], guard=guard()
            )
        receiver.secret, receiver.clock = secret, clock

        data = certificate_data(make_csr("www.example.jp", "shop.example.jp"), clock.now())
        facts = certificate_facts(data)
        first = await _issue(ctx, customer_id, 1, data)
        voucher = await _issue(ctx, customer_id, 2, {"code": "ABCD1234"})  # no certificate
        await relay()
        await relay()  # a redelivery sends nothing twice

        await Tenant.update({Tenant.language: "en"}).where(Tenant.id == shop.tenant.id)
        english = Context(
            shop.tenant.__class__(shop.tenant.id, shop.tenant.slug, language="en"),
            Actor.system("test"),
            clock,
        )
        en_data = certificate_data(make_csr("api.example.jp"), clock.now())
        second = await _issue(english, customer_id, 3, en_data)
        with tenant_scope(shop.tenant):
            for _ in range(2):
                report = await deliver_pending(english.tenant, handlers, clock)
                assert not report.failed, report
            for due in await claim_due(clock.now()):
                await attempt(ctx, due.delivery_id, due.attempts, guard=guard())

    messages = smtp.inbox.messages()
    assert len(messages) == 2, [str(m["Subject"]) for m in messages]
    ja, en = messages
    assert ja["To"] == "gijutsu@example.jp"  # the technical contact, not billing
    assert "証明書を発行しました（www.example.jp）" in str(ja["Subject"])  # noqa: RUF001
    text = ja.get_body(("plain",)).get_content()
    assert facts.serial in text and "2027/11/22" in text and "技術 次郎 様" in text
    assert f"https://{shop.tenant.slug}.shomei.test/portal/certificates/{first}" in text
    assert "Your certificate for api.example.jp is issued" in str(en["Subject"])
    en_text = en.get_body(("plain",)).get_content()
    assert "2027-11-22" in en_text and f"/portal/certificates/{second}" in en_text

    with tenant_scope(shop.tenant):
        follow_ups = await (
            OutboxEvent.select(OutboxEvent.payload)
            .where(
                (OutboxEvent.tenant_id == shop.tenant.id)
                & (OutboxEvent.event_type == "certificate.issued")
            )
            .output(load_json=True)
            .run()
        )
    assert sorted(e["payload"]["entitlement_id"] for e in follow_ups) == [first, second]

    hooks = [(r["json"]["type"], r["json"]["data"]["entitlement_id"]) for r in receiver.requests]
    assert sorted(hooks) == sorted(
        [
            ("entitlement.issued", first),
            ("entitlement.issued", voucher),
            ("entitlement.issued", second),
            ("certificate.issued", first),
            ("certificate.issued", second),
        ]
    )
    assert all(r["valid"] for r in receiver.requests)
    certificate_hook = next(
        r for r in receiver.requests if r["json"]["type"] == "certificate.issued"
    )
    assert "to" not in certificate_hook["json"]["data"]  # mail routing stays private
    assert certificate_hook["json"]["data"]["serial"]
