from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from core import outbox
from core.billing import invoices
from core.billing.contact import BillingContact
from core.billing.errors import IdempotencyKeyReused, InvoiceNotFound, InvoiceStateError
from core.billing.models import LineDraft
from core.billing.tables import Invoice
from core.db import bound_engine
from core.errors import ValidationFailed
from core.money import Rounding, TaxTotal
from core.tables import OutboxEvent
from tests.core.billing.factories import context, draft, new_tenant_id


async def test_an_invoice_snapshots_every_qualified_invoice_field(database):
    ctx = context(at=datetime(2026, 11, 30, 16, 0, tzinfo=UTC))  # 2026-12-01 01:00 in Japan
    invoice = await invoices.create_invoice(ctx, draft())
    assert invoice.number == "INV-000001" and invoice.status == "open"
    assert invoice.issue_date == date(2026, 12, 1)  # the tenant's date, not UTC's
    assert (invoice.payment_term, invoice.due_date) == ("NET30EOM", date(2027, 1, 31))
    assert invoice.issuer.registration_number == "T7000012050002"
    assert invoice.recipient.organization_name == "JPY株式会社"
    assert invoice.bank_account.account_number == "0249302"
    assert (invoice.reference_kind, invoice.reference_number) == ("voucher_order", "1031")
    assert [(line.service_code, line.quantity, line.amount) for line in invoice.lines] == [
        ("SSLOV 2Yr", 1, 828_600),
        ("GTEV 1Yr", 3, 657_000),
    ]
    assert invoice.tax_totals == (TaxTotal(10, 1_485_600, 148_560),)
    assert (invoice.subtotal, invoice.tax_amount, invoice.grand_total) == (
        1_485_600,
        148_560,
        1_634_160,
    )
    assert invoice.lines[0].order_number == "N.A"


async def test_tax_is_rounded_once_per_rate_not_per_line(database):
    lines = tuple(LineDraft("SSLDV 1Yr", "ドメイン認証 1年", 1, 105) for _ in range(3))
    invoice = await invoices.create_invoice(context(), draft(lines=lines, rounding=Rounding.DOWN))
    assert invoice.tax_totals == (TaxTotal(10, 315, 31),)  # per line it would be 3 x 10 = 30
    assert invoice.grand_total == 346


async def test_mixed_rates_are_totalled_per_rate(database):
    lines = (
        LineDraft("SSLOV 1Yr", "Basic OV 1年", 1, 1_001),
        LineDraft("BOOK", "手引書", 1, 1_001, tax_rate=8),
    )
    invoice = await invoices.create_invoice(context(), draft(lines=lines))
    assert invoice.tax_totals == (TaxTotal(10, 1_001, 100), TaxTotal(8, 1_001, 80))
    assert invoice.grand_total == 2_182


async def test_numbers_are_sequential_per_tenant(database):
    a, b = context(), context()
    numbers_a = [(await invoices.create_invoice(a, draft(f"o{n}"))).number for n in range(3)]
    number_b = (await invoices.create_invoice(b, draft("o0"))).number
    assert numbers_a == ["INV-000001", "INV-000002", "INV-000003"]
    assert number_b == "INV-000001"


async def test_the_same_source_and_key_return_the_existing_invoice(database):
    ctx = context(key="checkout:abc")
    first = await invoices.create_invoice(ctx, draft("order-9"))
    again = await invoices.create_invoice(ctx, draft("order-9"))
    assert again.id == first.id and again.number == first.number
    assert await Invoice.count().where(Invoice.tenant_id == ctx.tenant.id).run() == 1
    assert len(await outbox.pending(ctx.tenant.id)) == 1
    with pytest.raises(IdempotencyKeyReused):
        await invoices.create_invoice(ctx, draft("order-10"))
    # without a key, the source itself is the key: one invoice per order
    plain = context(tenant_id=ctx.tenant.id)
    assert (await invoices.create_invoice(plain, draft("order-11"))).number == "INV-000002"
    assert (await invoices.create_invoice(plain, draft("order-11"))).number == "INV-000002"
    assert (await invoices.create_invoice(plain, draft("order-12"))).number == "INV-000003"


async def test_no_invoice_without_a_billing_contact(database):
    ctx = context()
    recipient = BillingContact(organization_name="", postal_code="", prefecture="東京都")
    with pytest.raises(ValidationFailed) as refused:
        await invoices.create_invoice(ctx, draft(recipient=recipient))
    assert [e.message_id for e in refused.value.errors] == [
        "billing.contact.organization_name_required",
        "billing.contact.postal_code_required",
    ]
    assert await Invoice.count().where(Invoice.tenant_id == ctx.tenant.id).run() == 0


async def test_a_bad_registration_number_or_empty_lines_are_refused(database):
    ctx = context()
    bad = replace(draft().issuer, registration_number="T1234567890123")
    with pytest.raises(ValidationFailed) as refused:
        await invoices.create_invoice(ctx, draft(issuer=bad, lines=()))
    assert [e.message_id for e in refused.value.errors] == [
        "billing.issuer.registration_number_invalid",
        "billing.invoice.no_lines",
    ]


async def test_void_records_who_when_why_and_keeps_the_number(database):
    ctx = context()
    first = await invoices.create_invoice(ctx, draft("o1"))
    ctx.clock.advance(datetime(2026, 11, 23, 3, 0, tzinfo=UTC) - ctx.clock.now())
    voided = await invoices.void_invoice(ctx, first.id, "Cancel requested by the customer")
    assert voided.status == "void" and voided.number == first.number
    assert voided.voided_at == datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    assert voided.voided_by == "経理 花子"
    assert voided.void_reason == "Cancel requested by the customer"
    row = await Invoice.select(Invoice.voided_by_actor).where(Invoice.id == first.id).first().run()
    assert row["voided_by_actor"] == "staff:42"
    # the number is not reused
    assert (await invoices.create_invoice(ctx, draft("o2"))).number == "INV-000002"
    events = [e["event_type"] for e in await outbox.pending(ctx.tenant.id)]
    assert events == ["invoice.issued", "invoice.voided", "invoice.issued"]


async def test_a_void_invoice_cannot_be_paid_or_voided_again(database):
    ctx = context()
    invoice = await invoices.create_invoice(ctx, draft())
    await invoices.void_invoice(ctx, invoice.id, "duplicate")
    with pytest.raises(InvoiceStateError) as paying:
        await invoices.mark_paid(ctx, invoice.id, "transfer-1")
    assert paying.value.message_id == "billing.invoice.void_cannot_be_paid"
    with pytest.raises(InvoiceStateError) as voiding:
        await invoices.void_invoice(ctx, invoice.id, "again")
    assert voiding.value.message_id == "billing.invoice.already_void"
    stored = await invoices.get_invoice(ctx, invoice.id)
    assert (stored.status, stored.void_reason, stored.paid_at) == ("void", "duplicate", None)


async def test_paying_an_open_invoice_and_the_transitions_after_it(database):
    ctx = context()
    invoice = await invoices.create_invoice(ctx, draft())
    paid = await invoices.mark_paid(ctx, invoice.id, "zengin:0001")
    assert (paid.status, paid.payment_reference) == ("paid", "zengin:0001")
    assert paid.paid_at == ctx.clock.now()
    with pytest.raises(InvoiceStateError) as again:
        await invoices.mark_paid(ctx, invoice.id, "zengin:0002")
    assert again.value.message_id == "billing.invoice.already_paid"
    with pytest.raises(InvoiceStateError) as voiding:
        await invoices.void_invoice(ctx, invoice.id, "too late")
    assert voiding.value.message_id == "billing.invoice.paid_cannot_be_voided"
    events = [e["event_type"] for e in await outbox.pending(ctx.tenant.id)]
    assert events == ["invoice.issued", "invoice.paid"]


async def test_voiding_needs_a_reason(database):
    ctx = context()
    invoice = await invoices.create_invoice(ctx, draft())
    with pytest.raises(ValidationFailed):
        await invoices.void_invoice(ctx, invoice.id, "  ")
    assert (await invoices.get_invoice(ctx, invoice.id)).status == "open"


async def test_outbox_rows_roll_back_with_the_invoice_and_the_number_comes_back(database):
    ctx = context()
    with pytest.raises(RuntimeError):
        async with bound_engine().transaction():
            created = await invoices.create_invoice(ctx, draft("o1"))
            assert created.number == "INV-000001"
            assert await OutboxEvent.count().where(OutboxEvent.tenant_id == ctx.tenant.id).run()
            raise RuntimeError("the order failed after invoicing")
    assert await Invoice.count().where(Invoice.tenant_id == ctx.tenant.id).run() == 0
    assert await OutboxEvent.count().where(OutboxEvent.tenant_id == ctx.tenant.id).run() == 0
    again = await invoices.create_invoice(ctx, draft("o1"))
    assert again.number == "INV-000001"  # no gap
    [event] = await outbox.pending(ctx.tenant.id)
    assert (event["event_type"], event["payload"]["number"]) == ("invoice.issued", "INV-000001")


async def test_another_tenant_cannot_read_or_change_an_invoice_by_id(database):
    a, b = context(), context()
    invoice = await invoices.create_invoice(a, draft())
    with pytest.raises(InvoiceNotFound):
        await invoices.get_invoice(b, invoice.id)
    with pytest.raises(InvoiceNotFound):
        await invoices.mark_paid(b, invoice.id)
    with pytest.raises(InvoiceNotFound):
        await invoices.void_invoice(b, invoice.id, "not mine")
    assert await invoices.list_invoices(b) == []
    assert (await invoices.get_invoice(a, invoice.id)).status == "open"
    assert [row["number"] for row in await invoices.list_invoices(a)] == ["INV-000001"]


async def test_unknown_invoice_is_not_found(database):
    with pytest.raises(InvoiceNotFound):
        await invoices.get_invoice(context(new_tenant_id()), 987_654_321)
