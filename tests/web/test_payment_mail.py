"""Bank-transfer mail end to end: instructions issued through the API reach the customer's
billing contact (else the registrant) by SMTP once the outbox relay delivers the event, the
order's payment view shows them, and a matching Zengin import sends 入金確認済."""

from email.message import EmailMessage

import pytest
from litestar.testing import AsyncTestClient

from core.clock import FrozenClock
from core.context import Actor, Context, system_scope, tenant_scope
from core.messaging.mail_events import mail_handlers
from core.messaging.mailer import Mailer
from core.outbox_relay import deliver_pending
from core.plugins import build_plugin_manager
from core.tables import OutboxEvent
from tenants.customers import add_customer_user, create_customer, set_contact
from tenants.onboarding import tenant_ref
from tenants.tables import Tenant
from tests.conftest import make_app, make_settings
from tests.core.messaging.helpers import SmtpServer
from tests.plugins.bank_transfer.builder import Transfer, notice_file
from tests.web.api_fixtures import TestPlugin
from tests.web.test_payments_api import IMPORTS, START, bank_shop
from web.api.payment_recipients import customer_recipient


@pytest.fixture
def clock():
    return FrozenClock(START)


@pytest.fixture
async def api(settings, clock):
    app = make_app(settings, plugins=[TestPlugin()], clock=clock)
    async with AsyncTestClient(app) as client:
        yield client


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


async def customer_of(shop, clock, contacts: dict[str, str]) -> tuple[Context, int]:
    with system_scope("test: read the tenant"):
        row = await Tenant.objects().where(Tenant.id == shop.tenant_id).first()
    tenant = tenant_ref(row)
    ctx = Context(tenant, Actor.system("test"), clock)
    with tenant_scope(tenant):
        customer_id = await create_customer(
            ctx, "株式会社山田商事", "104-0061", "東京都", "中央区銀座6-10-1", "03-1234-5678"
        )
        names = {"billing": "経理 花子", "registrant": "登録 一郎"}
        for role, email in contacts.items():
            await set_contact(ctx, customer_id, role, names[role], email, "03-1234-5678")
    return ctx, customer_id


async def relay(ctx, mailer: Mailer, clock) -> None:
    with tenant_scope(ctx.tenant):
        report = await deliver_pending(ctx.tenant, mail_handlers(lambda: mailer), clock)
    assert not report.failed, report


def only(messages: list[EmailMessage], subject_part: str) -> EmailMessage:
    found = [m for m in messages if subject_part in str(m["Subject"])]
    assert len(found) == 1, [str(m["Subject"]) for m in messages]
    return found[0]


async def test_instructions_then_confirmation_reach_the_billing_contact(
    api,
    settings,
    clock,
    smtp,
    tmp_path,
    database,
):
    shop = await bank_shop(settings, clock)
    ctx, customer_id = await customer_of(
        shop, clock, {"billing": "keiri@yamada.example.jp", "registrant": "touroku@yamada.example"}
    )
    body = {
        "payment_method": "bank_transfer",
        "customer_id": customer_id,
        "lines": [{"product_id": shop.product_id}],
    }
    created = await api.post(
        "/api/v1/orders", json=body, headers={**shop.headers, "Idempotency-Key": "mail-0001"}
    )
    assert created.status_code == 201, created.text
    order = created.json()
    issued = await api.post(
        f"/api/v1/orders/{order['id']}/transfer-instructions", headers=shop.headers
    )
    assert issued.status_code == 200, issued.text
    ref = issued.json()["payer_reference"]

    shown = await api.get(f"/api/v1/orders/{order['id']}/payment", headers=shop.headers)
    instructions = shown.json()["instructions"]
    assert instructions["payer_reference"] == ref and instructions["amount"] == order["total"]
    assert instructions["instructions"]["account_number"] == "1234567"

    with tenant_scope(ctx.tenant):
        event = (
            await OutboxEvent.select()
            .where(
                (OutboxEvent.tenant_id == ctx.tenant.id)
                & (OutboxEvent.event_type == "payment.instructions_issued")
            )
            .first()
            .output(load_json=True)
        )
    payload = event["payload"]
    assert payload["to"] == "keiri@yamada.example.jp" and payload["language"] == "ja"
    assert payload["customer_name"] == "経理 花子" and payload["payer_reference"] == ref
    assert payload["due_date"] == "2026/11/29"  # the tenant's today (JST) + 7 days
    assert payload["bank_account"]["account_holder"] == "ｼﾖｳﾒｲ(ｶ"

    pm = build_plugin_manager(load_entrypoints=False)
    mail_settings = make_settings(tmp_path / "mailvar", database, smtp_url=smtp.url)
    mailer = Mailer.from_settings(mail_settings, pm)
    await relay(ctx, mailer, clock)
    message = only(smtp.inbox.messages(), "お振込先のご案内")
    assert message["To"] == "keiri@yamada.example.jp"
    assert f"注文番号 {order['number']}" in str(message["Subject"])
    text = message.get_body(("plain",)).get_content()
    assert ref in text and f"{order['total']:,}円" in text
    assert "1234567" in text and "2026/11/29" in text and "経理 花子 様" in text

    data = notice_file([Transfer(order["total"], f"{ref} ﾔﾏﾀﾞ ﾀﾛｳ")])
    imported = await api.post(IMPORTS, content=data, headers=shop.headers)
    assert imported.status_code == 200 and imported.json()["matched"] == 1
    await relay(ctx, mailer, clock)
    confirmed = only(smtp.inbox.messages(), "入金確認済")
    assert confirmed["To"] == "keiri@yamada.example.jp"
    text = confirmed.get_body(("plain",)).get_content()
    assert "入金確認済" in text and f"{order['total']:,}円" in text and "2026/11/22" in text
    await relay(ctx, mailer, clock)  # nothing is sent twice
    assert len(smtp.inbox.raw) == 2


async def test_the_registrant_when_there_is_no_billing_contact(settings, clock, database):
    shop = await bank_shop(settings, clock)
    ctx, customer_id = await customer_of(shop, clock, {"registrant": "touroku@yamada.example"})
    with tenant_scope(ctx.tenant):
        found = await customer_recipient(ctx, customer_id)
        nobody = await customer_recipient(ctx, None)
    assert found is not None and found.email == "touroku@yamada.example"
    assert found.language == ctx.tenant.language and nobody is None


async def test_the_person_who_signed_up_when_there_is_no_contact(settings, clock, database):
    shop = await bank_shop(settings, clock)
    ctx, customer_id = await customer_of(shop, clock, {})
    with tenant_scope(ctx.tenant):
        assert await customer_recipient(ctx, customer_id) is None
        await add_customer_user(
            ctx, customer_id, "kaite@yamada.example", "買い手 太郎", "long pass phrase 1",
            set_by_staff=False,
        )  # fmt: skip
        found = await customer_recipient(ctx, customer_id)
    assert found is not None
    assert (found.email, found.name) == ("kaite@yamada.example", "買い手 太郎")
