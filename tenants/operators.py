"""Operator accounts: the people who run the SaaS (global, not tenant-scoped)."""

from __future__ import annotations

from core.clock import Clock
from tenants.errors import raise_if, refuse
from tenants.password_policy import check_password
from tenants.passwords import hash_password
from tenants.tables import Operator
from tenants.validation import check_email, nfkc, normalise_email, required


async def add_operator(
    email: str, display_name: str, password: str, clock: Clock, *, set_by_other: bool = True
) -> int:
    """A new operator; a password set by another operator must be changed at first login."""
    email = normalise_email(email)
    raise_if(
        [
            *check_email("email", email),
            *required("display_name", display_name),
            *check_password(password, email),
        ]
    )
    if await Operator.exists().where(Operator.email == email):
        refuse("email", "tenants.email_taken")
    row = Operator(
        email=email,
        display_name=nfkc(display_name),
        password_hash=hash_password(password),
        must_change_password=set_by_other,
        created_at=clock.now(),
    )
    await row.save()
    return row.id
