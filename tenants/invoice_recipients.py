"""Whom a tenant's invoice to its customer is addressed to (宛名 and 事務担当者).

The customer's company details, to the attention of its billing contact (事務担当者); a
customer that has none yet is addressed to the person who signed up and bought (its first
portal login), so an invoice always reaches someone. Used for order invoices and the
direct-debit monthly invoices alike.
"""

from __future__ import annotations

from core.billing.contact import BillingContact
from core.context import Context
from tenants.tables import ContactRole, Customer, CustomerContact, CustomerUser


async def invoice_recipient(ctx: Context, customer_id: int) -> BillingContact | None:
    """The customer as an invoice addresses it, or None when it is not this tenant's."""
    company = await (
        Customer.select()
        .where((Customer.id == customer_id) & (Customer.tenant == ctx.tenant.id))
        .first()
        .run()
    )
    if company is None:  # not a customer of this tenant (any more)
        return None
    clerk = await (
        CustomerContact.select()
        .where(
            (CustomerContact.customer == customer_id)
            & (CustomerContact.tenant == ctx.tenant.id)
            & (CustomerContact.role == ContactRole.BILLING.value)
        )
        .first()
        .run()
    )
    if clerk is None:  # no 事務担当者 yet: the person who signed up and bought
        clerk = await (
            CustomerUser.select(CustomerUser.display_name, CustomerUser.email)
            .where((CustomerUser.customer == customer_id) & (CustomerUser.tenant == ctx.tenant.id))
            .order_by(CustomerUser.id)
            .first()
            .run()
        )
        if clerk is not None:
            clerk = {"name": clerk["display_name"], "email": clerk["email"], "phone": ""}
    return BillingContact(
        organization_name=company["organization_name"],
        postal_code=company["postal_code"],
        prefecture=company["prefecture"],
        address=company["address"],
        contact_name=clerk["name"] if clerk else "",
        phone=(clerk["phone"] if clerk else "") or company["phone"],
        email=clerk["email"] if clerk else "",
    )
