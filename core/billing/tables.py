"""Piccolo tables of the billing app: invoices, their lines, and the per-tenant number counter.

An invoice is a snapshot: issuer, recipient, bank account, lines and per-rate tax totals are
copied onto it when it is issued, so later changes to the tenant or the customer never alter an
issued invoice. ``tenant_id`` is a plain integer (no foreign key to ``tenants``). Composite
uniqueness ((tenant_id, seq), (tenant_id, idempotency_key)) is a hand-written migration.
"""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table


class InvoiceCounter(Table, tablename="billing_invoice_counter"):
    """The next invoice number of one tenant; its row lock serialises numbering (gapless)."""

    tenant_id = Integer(unique=True)
    next_seq = Integer(default=1)


class Invoice(Table, tablename="billing_invoice"):
    """One qualified invoice (適格請求書) with everything it prints, frozen at issue."""

    tenant_id = Integer(index=True)
    seq = Integer()
    number = Varchar(length=32)
    idempotency_key = Varchar(length=200)
    status = Varchar(length=8, default="open")
    contract_type = Varchar(length=16, default="pay_as_you_go")
    source_type = Varchar(length=32)
    source_id = Varchar(length=64)
    reference_kind = Varchar(length=16, default="order")
    reference_number = Varchar(length=64, default="N.A")
    issue_date = Date()
    payment_term = Varchar(length=12)
    due_date = Date()
    language = Varchar(length=2, default="ja")
    issuer = JSON()
    recipient = JSON()
    bank_account = JSON()
    rounding = Varchar(length=8, default="down")
    tax_totals = JSON()
    subtotal = Integer()
    tax_amount = Integer()
    grand_total = Integer()
    created_at = Timestamptz()
    created_by = Varchar(length=255, default="")
    paid_at = Timestamptz(null=True, default=None)
    paid_by = Varchar(length=255, default="")
    payment_reference = Varchar(length=255, default="")
    voided_at = Timestamptz(null=True, default=None)
    voided_by = Varchar(length=255, default="")
    voided_by_actor = Varchar(length=255, default="")
    void_reason = Text(default="")


class InvoiceLine(Table, tablename="billing_invoice_line"):
    """One printed line: service short code, quantity, item text, order number, price, amount."""

    tenant_id = Integer(index=True)
    invoice = ForeignKey(references=Invoice, on_delete=OnDelete.cascade)
    position = Integer()
    service_code = Varchar(length=64)
    item = Varchar(length=255)
    order_number = Varchar(length=64, default="N.A")
    quantity = Integer()
    unit_price = Integer()
    amount = Integer()
    tax_rate = Integer(default=10)
