"""Who a customer's scheduled mail goes to: the billing contact (事務担当者), else any contact.

Customers live in ``tenants/``, which core does not import statically; the reader is reached by
name at runtime, as ``core.messaging.branding`` reaches tenant settings.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from core.context import Context
from core.errors import ShomeiError

CONTACTS = "tenants.customers:contacts"
PREFERRED_ROLES = ("billing", "registrant", "technical", "contract_officer")


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str = ""


RecipientLookup = Callable[[Context, int], Awaitable[Recipient | None]]


async def customer_recipient(
    ctx: Context, customer_id: int, roles: tuple[str, ...] = PREFERRED_ROLES
) -> Recipient | None:
    """The first of ``roles`` (contact roles, in order) with an address, or None."""
    module, _, name = CONTACTS.partition(":")
    contacts: Callable[[Context, int], Awaitable[dict[str, Any]]] = getattr(
        importlib.import_module(module), name
    )
    try:
        found = await contacts(ctx, customer_id)
    except ShomeiError:
        return None
    for role in roles:
        contact = found.get(role)
        if contact is not None and contact.email:
            return Recipient(contact.email, contact.name)
    return None
