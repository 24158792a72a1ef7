"""Tables of the payments app. Composite unique indexes are created by hand in a migration
(SQLite cannot ALTER TABLE … ADD CONSTRAINT):

- ``payments_outcome (tenant_id, adapter, reference)``: an outcome is applied once;
- ``payments_expectation (tenant_id, order_id)`` and ``(tenant_id, payer_reference)``;
- ``payments_bank_file (tenant_id, fingerprint)``, ``payments_bank_line (tenant_id, fingerprint)``;
- ``payments_payable_expectation (tenant_id, payer_reference)`` among open rows,
  ``payments_customer_setting (tenant_id, customer_id)``.
"""

from __future__ import annotations

from piccolo.columns import Boolean, Date, Integer, Timestamptz, Varchar
from piccolo.columns.column_types import JSON
from piccolo.table import Table


class AppliedOutcome(Table, tablename="payments_outcome"):
    """One payment outcome as applied: what it said, and what it did to the payable."""

    tenant_id = Integer(index=True)
    adapter = Varchar(length=32)
    reference = Varchar(length=255)
    state = Varchar(length=32)
    payable_type = Varchar(length=32)
    payable_id = Integer()
    amount = Integer()
    received = Integer(default=0)
    """Money counted towards the payable's due (0 for failed, cancelled, refunded)."""
    surplus = Integer(default=0)
    """Money beyond what was due (over-payment, or a payment for an order already paid)."""
    remaining_due = Integer(default=0)
    effect = Varchar(length=32)
    actor = Varchar(length=255, default="")
    applied_at = Timestamptz()


class TransferExpectation(Table, tablename="payments_expectation"):
    """A bank-transfer order waiting for money: how the payer names it and by when."""

    tenant_id = Integer(index=True)
    order_id = Integer()
    customer_id = Integer(null=True, default=None)
    payer_reference = Varchar(length=16)
    virtual_account = Varchar(length=16, default="")
    amount = Integer()
    due_date = Date()
    instructions = JSON()
    created_at = Timestamptz()


class BankFile(Table, tablename="payments_bank_file"):
    """An imported Zengin file, by its fingerprint (the same file twice is refused)."""

    tenant_id = Integer(index=True)
    fingerprint = Varchar(length=64)
    kind = Varchar(length=32)
    created_on = Date(null=True, default=None)
    line_count = Integer(default=0)
    new_lines = Integer(default=0)
    imported_by = Varchar(length=255, default="")
    imported_at = Timestamptz()


class BankLine(Table, tablename="payments_bank_line"):
    """One data record of an imported file; ``status`` is matched, unmatched, resolved,
    cancellation (a notice's 取消 record) or ignored (a statement's withdrawal)."""

    tenant_id = Integer(index=True)
    file_id = Integer(index=True)
    fingerprint = Varchar(length=64)
    record_number = Integer()
    bank_code = Varchar(length=4, default="")
    branch_code = Varchar(length=3, default="")
    account_number = Varchar(length=10, default="")
    inquiry_number = Varchar(length=10, default="")
    account_date = Date(null=True, default=None)
    amount = Integer()
    payer_name = Varchar(length=96, default="")
    status = Varchar(length=16)
    reason = Varchar(length=32, default="")
    order_ids = JSON()
    resolved_by = Varchar(length=255, default="")
    resolved_at = Timestamptz(null=True, default=None)


class PayableExpectation(Table, tablename="payments_payable_expectation"):
    """A bank transfer awaited for a payable other than an order (a wallet top-up): ``state``
    is ``open`` until an imported line pays it, then ``settled``. Unique (tenant_id,
    payer_reference) among open rows (partial unique index, hand-written migration)."""

    tenant_id = Integer(index=True)
    payable_type = Varchar(length=32)
    payable_id = Integer()
    customer_id = Integer(default=0)
    payer_reference = Varchar(length=16)
    amount = Integer()
    due_date = Date()
    instructions = JSON()
    state = Varchar(length=16, default="open")
    created_at = Timestamptz()
    settled_at = Timestamptz(null=True, default=None)


class CustomerPaymentSetting(Table, tablename="payments_customer_setting"):
    """A customer's chosen payment method and automatic-renewal setting (the default copied
    onto new entitlements). ``payment_method`` "" means none chosen (after a reset).
    Unique (tenant_id, customer_id) (hand-written migration)."""

    tenant_id = Integer(index=True)
    customer_id = Integer()
    payment_method = Varchar(length=32, default="")
    auto_renew = Boolean(default=False)
    renewal_day = Integer(null=True, default=None)
    saved_method_ref = Varchar(length=255, default="")
    updated_at = Timestamptz()
