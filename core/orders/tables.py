"""Piccolo tables of the orders app: orders with their lines, quotes with theirs.

Lines snapshot the unit price and product names at the time they were priced, so a later
price or catalog change never changes an existing order or quote. The unique index on
(tenant_id, idempotency_key) of ``orders_order`` is created by hand in a migration.
"""

from __future__ import annotations

from piccolo.columns import JSON, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class Order(Table, tablename="orders_order"):
    """The order aggregate's root: who, how they pay, its state and its totals; ``number``
    is what people see (``ORD-2026-000123``, ``core.orders.numbers``)."""

    tenant_id = Integer(index=True)
    number = Varchar(length=32, default="")
    customer_id = Integer(null=True, default=None)
    payment_method = Varchar(length=64)
    state = Varchar(length=32)
    idempotency_key = Varchar(length=255, null=True, default=None)
    request_digest = Varchar(length=64)
    quote_id = Integer(null=True, default=None)
    subtotal = Integer()
    tax = Integer()
    total = Integer()
    tax_rounding = Varchar(length=16)
    tax_totals = JSON()
    created_at = Timestamptz()
    updated_at = Timestamptz()


class OrderCounter(Table, tablename="orders_order_counter"):
    """The next order number of one tenant in one year (``core.numbering``); the unique
    (tenant_id, year) index is created by hand in a migration."""

    tenant_id = Integer()
    year = Integer()
    next_seq = Integer(default=1)


class OrderLine(Table, tablename="orders_order_line"):
    """One line of an order, priced and named as it was when the order was accepted."""

    order = ForeignKey(Order, index=True)
    tenant_id = Integer(index=True)
    position = Integer()
    kind = Varchar(length=16)
    product_id = Integer(null=True, default=None)
    product_code = Varchar(length=64)
    provider_code = Varchar(length=64, default="")
    provider_account_id = Integer(null=True, default=None)
    name_ja = Varchar(length=255)
    name_en = Varchar(length=255)
    quantity = Integer()
    term_months = Integer()
    fqdns = Integer(default=0)
    wildcards = Integer(default=0)
    unit_price = Integer()
    amount = Integer()
    tax_rate = Integer()


class Quote(Table, tablename="orders_quote"):
    """A quote (見積り): product lines or an account credit; the memo never prints."""

    tenant_id = Integer(index=True)
    customer_id = Integer(null=True, default=None)
    kind = Varchar(length=16)
    title = Varchar(length=255, default="")
    memo = Text(default="")
    saved_on = Date()
    valid_until = Date()
    subtotal = Integer()
    tax = Integer()
    total = Integer()
    tax_rounding = Varchar(length=16)
    tax_totals = JSON()
    order_id = Integer(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class QuoteLine(Table, tablename="orders_quote_line"):
    """One line of a quote, with the unit price quoted."""

    quote = ForeignKey(Quote, index=True)
    tenant_id = Integer(index=True)
    position = Integer()
    kind = Varchar(length=16)
    product_id = Integer(null=True, default=None)
    product_code = Varchar(length=64)
    provider_code = Varchar(length=64, default="")
    provider_account_id = Integer(null=True, default=None)
    name_ja = Varchar(length=255)
    name_en = Varchar(length=255)
    quantity = Integer()
    term_months = Integer()
    fqdns = Integer(default=0)
    wildcards = Integer(default=0)
    unit_price = Integer()
    amount = Integer()
    tax_rate = Integer()
