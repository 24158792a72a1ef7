"""What a caller hands the invoice service (drafts) and what it gets back (views)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from core.billing.contact import BillingContact
from core.billing.terms import PaymentTerm
from core.billing.timing import ContractType
from core.money import STANDARD_RATE, Rounding, TaxTotal, Yen

NOT_AVAILABLE = "N.A"
"""Printed where an order or voucher-order number does not exist yet."""


@dataclass(frozen=True)
class BankAccount:
    """The account transfers go to (お振込み先); ``account_type`` is 普通 or 当座 as printed."""

    bank_name: str
    branch_name: str
    account_type: str
    account_number: str
    account_holder: str
    branch_code: str = ""


@dataclass(frozen=True)
class Issuer:
    """The tenant as a qualified-invoice issuer (適格請求書発行事業者)."""

    name: str
    registration_number: str
    postal_code: str
    address: str
    phone: str
    email: str = ""


@dataclass(frozen=True)
class LineDraft:
    """One line to bill: ``SSLOV 1Yr`` x 2 of ``Basic OV 1 Year with 1 FQDN``, tax-exclusive."""

    service_code: str
    item: str
    quantity: int
    unit_price: Yen
    order_number: str = NOT_AVAILABLE
    tax_rate: int = STANDARD_RATE

    @property
    def amount(self) -> Yen:
        return self.quantity * self.unit_price


@dataclass(frozen=True)
class InvoiceDraft:
    """Everything an invoice needs; ``issue_date`` defaults to today in the tenant's time zone."""

    source_type: str
    source_id: str
    issuer: Issuer
    bank_account: BankAccount
    recipient: BillingContact
    lines: tuple[LineDraft, ...]
    term: PaymentTerm
    contract_type: ContractType = ContractType.PAY_AS_YOU_GO
    reference_kind: str = "order"  # or "voucher_order": which number the header prints
    reference_number: str = NOT_AVAILABLE
    rounding: Rounding = Rounding.DOWN
    issue_date: date | None = None
    language: str = "ja"


@dataclass(frozen=True)
class InvoiceLineView:
    position: int
    service_code: str
    item: str
    order_number: str
    quantity: int
    unit_price: Yen
    amount: Yen
    tax_rate: int


@dataclass(frozen=True)
class InvoiceView:
    """An issued invoice as stored: the snapshot the PDF prints."""

    id: int
    tenant_id: int
    seq: int
    number: str
    status: str
    contract_type: str
    source_type: str
    source_id: str
    reference_kind: str
    reference_number: str
    issue_date: date
    payment_term: str
    due_date: date
    language: str
    issuer: Issuer
    recipient: BillingContact
    bank_account: BankAccount
    rounding: str
    tax_totals: tuple[TaxTotal, ...]
    subtotal: Yen
    tax_amount: Yen
    grand_total: Yen
    created_at: datetime
    lines: tuple[InvoiceLineView, ...] = field(default=())
    paid_at: datetime | None = None
    payment_reference: str = ""
    voided_at: datetime | None = None
    voided_by: str = ""
    void_reason: str = ""
