"""Sending a quote (送信): the quote PDF attached to a mail, to any address.

``send_quote`` writes one ``quote.sent`` outbox event in a transaction; the messaging handler
renders the PDF from the document stored in the event and mails it (docs/messaging.md). The
event key is ``<tenant>:quote:<id>:sent:<sha256 of recipient and client key>``: the same client key
(the API's ``Idempotency-Key``) for the same quote and recipient writes one event. Without a
client key every call sends again, like orders without a key.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass

from core.billing.pdf import format_day
from core.context import Context
from core.db import write_transaction
from core.errors import FieldError, ValidationFailed
from core.i18n import LANGUAGES
from core.orders.quote_pdf import quote_document
from core.outbox import record

EVENT_TYPE = "quote.sent"
EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")


@dataclass(frozen=True)
class QuoteSent:
    quote_id: int
    number: str
    to: str
    language: str
    event_key: str
    queued: bool  # False: this client key already sent this quote to this address


async def send_quote(ctx: Context, quote_id: int, to: str, language: str = "") -> QuoteSent:
    """Queue the quote's PDF for ``to`` in ``language`` (default: the tenant's)."""
    document_language = language or ctx.tenant.language
    document = await quote_document(ctx, quote_id, document_language)  # NotFound first
    address = to.strip()
    errors = []
    if len(address) > 254 or not EMAIL.match(address):
        errors.append(FieldError("to", "orders.quote.recipient_invalid"))
    if document_language not in LANGUAGES:
        errors.append(FieldError("language", "orders.quote.language_invalid"))
    if errors:
        raise ValidationFailed(errors)
    client_key = ctx.idempotency_key or f"once-{uuid.uuid4().hex}"
    digest = hashlib.sha256(f"{address.lower()}\n{client_key}".encode()).hexdigest()[:40]
    key = f"{ctx.tenant.id}:quote:{quote_id}:sent:{digest}"  # fits the 200-character key
    payload = {
        "to": address,
        "language": document_language,
        "quote_id": quote_id,
        "quote_number": document.number,
        "title": document.quote.title,
        "total": document.quote.total,
        "valid_until": format_day(document.quote.valid_until, document_language),
        "document": document.to_json(),
    }
    async with write_transaction():  # SQLite: BEGIN IMMEDIATE, so check-then-insert holds
        queued = await record(ctx, "quote", quote_id, EVENT_TYPE, payload, key)
    return QuoteSent(quote_id, document.number, address, document_language, key, queued)
