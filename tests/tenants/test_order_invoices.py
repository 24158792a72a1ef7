"""The tenant's invoice to its customer for an order (``tenants/order_invoices.py``), through
the API, the outbox relay and the portal: a bank-transfer order is invoiced when its transfer
instructions are issued (the account to transfer to, the order's number on every line) and
its PDF is in the customer's portal at once; a card order is invoiced, paid, when it is paid."""

import pytest
from litestar.testing import AsyncTestClient

from core.billing.invoices import get_invoice
from core.clock import FrozenClock
from core.context import tenant_scope
from core.contracts.payments import PaymentOutcome, PaymentState
from core.orders.lifecycle import transition
from core.orders.states import OrderState
from core.outbox_relay import deliver_pending
from core.payments.ledger import apply_outcome
from tenants.customers import add_customer_user
from tenants.order_invoices import order_invoice_handlers, order_invoice_id
from tests.conftest import make_app
from tests.web.api_fixtures import TestPlugin
from tests.web.browser import BASE, PASSWORD, browser_settings, csrf_of, on_host
from tests.web.test_payment_mail import customer_of
from tests.web.test_payments_api import START, bank_shop
from tests.workers.job_helpers import pdf_text


@pytest.fixture
def clock():
    return FrozenClock(START)


@pytest.fixture
def app(settings, clock, tmp_path, database):
    return make_app(browser_settings(tmp_path, database), plugins=[TestPlugin()], clock=clock)


async def relay(ctx, clock) -> None:
    with tenant_scope(ctx.tenant):
        report = await deliver_pending(ctx.tenant, order_invoice_handlers(), clock)
    assert not report.failed, report


async def test_a_transfer_order_is_invoiced_with_its_instructions_and_shown_in_the_portal(
    app, settings, clock, tmp_path, database
):
    shop = await bank_shop(settings, clock)
    ctx, customer_id = await customer_of(shop, clock, {"billing": "keiri@yamada.example.jp"})
    email = "kaite@yamada.example.jp"
    with tenant_scope(ctx.tenant):
        await add_customer_user(ctx, customer_id, email, "買い手", PASSWORD, set_by_staff=False)
    body = {
        "payment_method": "bank_transfer",
        "customer_id": customer_id,
        "lines": [{"product_id": shop.product_id, "fqdns": 1}],
    }
    async with AsyncTestClient(app) as api:
        headers = {**shop.headers, "Idempotency-Key": "inv-0001"}
        order = (await api.post("/api/v1/orders", json=body, headers=headers)).json()
        assert order["number"] == "ORD-2026-000001"
        issued = await api.post(
            f"/api/v1/orders/{order['id']}/transfer-instructions", headers=shop.headers
        )
        assert issued.status_code == 200, issued.text
        await relay(ctx, clock)
        await relay(ctx, clock)  # delivered again: still one invoice
        with tenant_scope(ctx.tenant):
            invoice = await get_invoice(ctx, await order_invoice_id(ctx, order["id"]))
        assert invoice.status == "open" and invoice.grand_total == order["total"]
        assert invoice.reference_number == "ORD-2026-000001"
        assert invoice.recipient.organization_name == "株式会社山田商事"
        assert invoice.recipient.email == "keiri@yamada.example.jp"
        assert invoice.issuer.registration_number.startswith("T")
        assert invoice.bank_account.account_number == "1234567"
        [line] = invoice.lines
        assert line.order_number == "ORD-2026-000001" and "FQDN 2個" in line.item

        on_host(api, f"{ctx.tenant.slug}.{BASE}")
        login = await api.get("/portal/login")
        signed = await api.post(
            "/portal/login",
            data={"email": email, "password": PASSWORD, "csrf_token": csrf_of(login.text)},
            follow_redirects=False,
        )
        assert signed.status_code == 303, signed.text
        listed = await api.get("/portal/invoices?lang=ja")
        assert invoice.number in listed.text and ">ORD-2026-000001</a>" in listed.text
        pdf = await api.get(f"/portal/invoices/{invoice.id}/pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    text = pdf_text(pdf.content, tmp_path)
    assert invoice.number in text and "ORD-2026-000001" in text


async def test_a_card_order_is_invoiced_paid_when_it_is_paid(app, settings, clock, database):
    shop = await bank_shop(settings, clock)
    ctx, customer_id = await customer_of(shop, clock, {"billing": "keiri@yamada.example.jp"})
    body = {"payment_method": "card", "customer_id": customer_id,
            "lines": [{"product_id": shop.product_id}]}  # fmt: skip
    async with AsyncTestClient(app) as api:
        headers = {**shop.headers, "Idempotency-Key": "inv-card-1"}
        created = await api.post("/api/v1/orders", json=body, headers=headers)
    assert created.status_code == 201, created.text
    order = created.json()
    with tenant_scope(ctx.tenant):
        await transition(ctx, order["id"], OrderState.AWAITING_PAYMENT)
        paid = PaymentOutcome(PaymentState.SUCCEEDED, "pi_1", "order", order["id"], order["total"])
        await apply_outcome(ctx, paid, "card")
        assert await order_invoice_id(ctx, order["id"]) is None  # nothing before the relay
    await relay(ctx, clock)
    with tenant_scope(ctx.tenant):
        invoice = await get_invoice(ctx, await order_invoice_id(ctx, order["id"]))
    assert invoice.status == "paid" and invoice.grand_total == order["total"]
