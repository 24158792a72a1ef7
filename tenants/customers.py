"""End-customer companies (利用企業) of a tenant, their four contacts and their logins."""

from __future__ import annotations

from dataclasses import dataclass

from core.context import Context
from core.errors import FieldError
from tenants.audit import audit
from tenants.errors import raise_if, refuse
from tenants.password_policy import check_password
from tenants.passwords import hash_password
from tenants.scoping import scoped
from tenants.tables import ContactRole, Customer, CustomerContact, CustomerUser
from tenants.validation import (
    check_email,
    check_phone,
    check_postal_code,
    check_prefecture,
    nfkc,
    normalise_email,
    normalise_phone,
    normalise_postal_code,
    required,
)


@dataclass(frozen=True)
class ContactView:
    role: str
    name: str
    department: str
    email: str
    phone: str


async def create_customer(
    ctx: Context,
    organization_name: str,
    postal_code: str,
    prefecture: str,
    address: str,
    phone: str,
) -> int:
    """A customer company; the billing contact's checks (organisation, postal code, prefecture)
    are the ones DOMAIN requires before any order."""
    postal_code = normalise_postal_code(postal_code)
    phone = normalise_phone(phone)
    raise_if(_company_errors(organization_name, postal_code, prefecture, address, phone))
    row = scoped(Customer, ctx).new(
        organization_name=nfkc(organization_name),
        postal_code=postal_code,
        prefecture=nfkc(prefecture),
        address=nfkc(address),
        phone=phone,
        created_at=ctx.clock.now(),
    )
    await row.save()
    await audit(ctx, "customer.created", "customer", row.id)
    return row.id


def _company_errors(
    organization_name: str, postal_code: str, prefecture: str, address: str, phone: str
) -> list[FieldError]:
    """The company's checks (postal code and phone already normalised)."""
    return [
        *required("organization_name", organization_name),
        *check_postal_code("postal_code", postal_code),
        *check_prefecture("prefecture", nfkc(prefecture)),
        *required("address", address),
        *check_phone("phone", phone),
    ]


async def update_customer(
    ctx: Context,
    customer_id: int,
    organization_name: str,
    postal_code: str,
    prefecture: str,
    address: str,
    phone: str,
) -> None:
    """Change the company's stored account information, with the checks of ``create_customer``."""
    await _customer(ctx, customer_id)
    postal_code = normalise_postal_code(postal_code)
    phone = normalise_phone(phone)
    raise_if(_company_errors(organization_name, postal_code, prefecture, address, phone))
    await (
        scoped(Customer, ctx)
        .update(
            {
                Customer.organization_name: nfkc(organization_name),
                Customer.postal_code: postal_code,
                Customer.prefecture: nfkc(prefecture),
                Customer.address: nfkc(address),
                Customer.phone: phone,
            }
        )
        .where(Customer.id == customer_id)
    )
    await audit(ctx, "customer.updated", "customer", customer_id)


async def _customer(ctx: Context, customer_id: int) -> Customer:
    row = await scoped(Customer, ctx).objects().where(Customer.id == customer_id).first()
    if row is None:
        refuse("customer", "tenants.customer_unknown")
    return row


async def set_contact(
    ctx: Context,
    customer_id: int,
    role: str,
    name: str,
    email: str,
    phone: str,
    department: str = "",
) -> None:
    """Set (create or replace) one of the customer's four contacts."""
    await _customer(ctx, customer_id)
    email = normalise_email(email)
    phone = normalise_phone(phone)
    errors: list[FieldError] = []
    if role not in {r.value for r in ContactRole}:
        errors.append(FieldError("role", "tenants.contact_role_invalid"))
    errors += [*required("name", name), *check_email("email", email), *check_phone("phone", phone)]
    raise_if(errors)
    values = {"name": nfkc(name), "email": email, "phone": phone, "department": nfkc(department)}
    where = (CustomerContact.customer == customer_id) & (CustomerContact.role == role)
    existing = await scoped(CustomerContact, ctx).objects().where(where).first()
    now = ctx.clock.now()
    if existing is None:
        row = scoped(CustomerContact, ctx).new(
            customer=customer_id, role=role, updated_at=now, **values
        )
        await row.save()
    else:
        await scoped(CustomerContact, ctx).update(
            {**{getattr(CustomerContact, k): v for k, v in values.items()},
             CustomerContact.updated_at: now}
        ).where(CustomerContact.id == existing.id)  # fmt: skip
    await audit(ctx, "customer.contact_set", "customer", customer_id, {"role": role})


async def contacts(ctx: Context, customer_id: int) -> dict[str, ContactView]:
    await _customer(ctx, customer_id)
    rows = (
        await scoped(CustomerContact, ctx).objects().where(CustomerContact.customer == customer_id)
    )
    return {r.role: ContactView(r.role, r.name, r.department, r.email, r.phone) for r in rows}


async def add_customer_user(
    ctx: Context,
    customer_id: int,
    email: str,
    display_name: str,
    password: str,
    *,
    set_by_staff: bool = True,
) -> int:
    """A login for the customer company; a password set by staff must be changed at first login.
    E-mails are unique per tenant, so a person may buy from two tenants with one address."""
    await _customer(ctx, customer_id)
    email = normalise_email(email)
    raise_if(
        [
            *check_email("email", email),
            *required("display_name", display_name),
            *check_password(password, email),
        ]
    )
    if await scoped(CustomerUser, ctx).exists().where(CustomerUser.email == email):
        refuse("email", "tenants.email_taken")
    row = scoped(CustomerUser, ctx).new(
        customer=customer_id,
        email=email,
        display_name=nfkc(display_name),
        password_hash=hash_password(password),
        must_change_password=set_by_staff,
        created_at=ctx.clock.now(),
    )
    await row.save()
    await audit(ctx, "customer.user_added", "customer_user", row.id)
    return row.id


class TenantCustomers:
    """The order engine's view of a tenant's customers (``core.orders.deps.CustomerDirectory``):
    an id exists only among ``ctx.tenant``'s own customers."""

    async def exists(self, ctx: Context, customer_id: int) -> bool:
        return await (
            Customer.exists()
            .where((Customer.tenant == ctx.tenant.id) & (Customer.id == customer_id))
            .run()
        )
