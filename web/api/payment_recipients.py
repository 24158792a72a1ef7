"""The recipient of an order's payment e-mail, looked up in ``tenants/`` for core.

``customer_recipient`` is the ``core.payments.recipients.RecipientLookup`` the payment routes
pass into ``issue_transfer_instructions``, ``import_zengin``, ``resolve_unmatched`` and
``apply_outcome``: the customer's billing contact (事務担当者), else its registrant (登録担当者),
else the person who signed up for it (its first login), in the tenant's language (customers
have no language of their own yet).
"""

from __future__ import annotations

from core.context import Context
from core.payments.recipients import MailRecipient
from tenants.scoping import scoped
from tenants.tables import ContactRole, CustomerContact, CustomerUser

PREFERRED_ROLES = (ContactRole.BILLING.value, ContactRole.REGISTRANT.value)


async def customer_recipient(ctx: Context, customer_id: int | None) -> MailRecipient | None:
    """The billing contact's address (else the registrant's, else the first login's)."""
    if not customer_id:
        return None
    rows = await (
        scoped(CustomerContact, ctx)
        .select(CustomerContact.role, CustomerContact.name, CustomerContact.email)
        .where(
            (CustomerContact.customer == customer_id)
            & CustomerContact.role.is_in(list(PREFERRED_ROLES))
        )
        .run()
    )
    by_role = {row["role"]: row for row in rows if row["email"]}
    for role in PREFERRED_ROLES:
        if role in by_role:
            row = by_role[role]
            return MailRecipient(row["email"], ctx.tenant.language, row["name"])
    person = await (
        scoped(CustomerUser, ctx)
        .select(CustomerUser.email, CustomerUser.display_name)
        .where((CustomerUser.customer == customer_id) & (CustomerUser.active == True))  # noqa: E712
        .order_by(CustomerUser.id)
        .first()
        .run()
    )
    if person is not None and person["email"]:
        return MailRecipient(person["email"], ctx.tenant.language, person["display_name"])
    return None
