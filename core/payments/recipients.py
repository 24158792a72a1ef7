"""Who a payment e-mail goes to, without core knowing where customers live.

Core does not import ``tenants/`` (customers and their contacts are there), so the services
that write mail events (``issue_transfer_instructions``, ``import_zengin``, ``resolve_unmatched``,
``apply_outcome``) take an optional ``recipients`` lookup: an async function of the context and
the order's customer id that returns a ``MailRecipient`` or None. The web layer passes
``web.api.payment_recipients.customer_recipient`` (the billing contact, else the registrant).
Without a lookup, or when it finds nobody, the event carries no ``to`` and no mail is sent
(docs/messaging.md, "Payload contract").
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from core.context import Context
from core.i18n import LANGUAGES


@dataclass(frozen=True)
class MailRecipient:
    """One address, the language to write in, and the name for the greeting."""

    email: str
    language: str
    name: str = ""

    def payload(self) -> dict[str, Any]:
        fields: dict[str, Any] = {"to": self.email, "language": self.language}
        if self.name:
            fields["customer_name"] = self.name
        return fields


RecipientLookup = Callable[[Context, int | None], Awaitable[MailRecipient | None]]


async def recipient_fields(
    ctx: Context, recipients: RecipientLookup | None, customer_id: int | None
) -> dict[str, Any]:
    """``to``, ``language`` and ``customer_name`` for a mail event (empty: nobody to write to)."""
    if recipients is None:
        return {}
    found = await recipients(ctx, customer_id)
    return found.payload() if found is not None and found.email else {}


def mail_language(ctx: Context, fields: dict[str, Any]) -> str:
    """The language the mail will be written in: the recipient's, else the tenant's."""
    language = fields.get("language")
    return language if language in LANGUAGES else ctx.tenant.language


def mail_day(value: date, language: str) -> str:
    """A date as the mail prints it (the mailer does not format dates): 2026/11/29 in
    Japanese, 2026-11-29 in English (as ``core.billing.pdf.format_day``)."""
    return value.strftime("%Y/%m/%d" if language == "ja" else "%Y-%m-%d")
