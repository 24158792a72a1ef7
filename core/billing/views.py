"""Stored invoice rows -> ``InvoiceView`` (the snapshot back as typed objects)."""

from __future__ import annotations

from typing import Any

from core.billing.contact import BillingContact
from core.billing.models import BankAccount, InvoiceLineView, InvoiceView, Issuer
from core.money import TaxTotal


def invoice_view(row: dict[str, Any], lines: list[dict[str, Any]]) -> InvoiceView:
    return InvoiceView(
        id=row["id"],
        tenant_id=row["tenant_id"],
        seq=row["seq"],
        number=row["number"],
        status=row["status"],
        contract_type=row["contract_type"],
        source_type=row["source_type"],
        source_id=row["source_id"],
        reference_kind=row["reference_kind"],
        reference_number=row["reference_number"],
        issue_date=row["issue_date"],
        payment_term=row["payment_term"],
        due_date=row["due_date"],
        language=row["language"],
        issuer=Issuer(**row["issuer"]),
        recipient=BillingContact(**row["recipient"]),
        bank_account=BankAccount(**row["bank_account"]),
        rounding=row["rounding"],
        tax_totals=tuple(TaxTotal(**t) for t in row["tax_totals"]),
        subtotal=row["subtotal"],
        tax_amount=row["tax_amount"],
        grand_total=row["grand_total"],
        created_at=row["created_at"],
        lines=tuple(
            InvoiceLineView(
                position=line["position"],
                service_code=line["service_code"],
                item=line["item"],
                order_number=line["order_number"],
                quantity=line["quantity"],
                unit_price=line["unit_price"],
                amount=line["amount"],
                tax_rate=line["tax_rate"],
            )
            for line in sorted(lines, key=lambda line: line["position"])
        ),
        paid_at=row["paid_at"],
        payment_reference=row["payment_reference"],
        voided_at=row["voided_at"],
        voided_by=row["voided_by"],
        void_reason=row["void_reason"],
    )
