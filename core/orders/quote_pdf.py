"""The quote PDF (見積書), in Japanese or English, through the billing PDF machinery.

A ``QuoteDocument`` is everything the PDF prints: the ``PrintableQuote`` (never the memo),
the issuer (the tenant's company profile), the recipient (the quote's customer, printed
``<name> 御中``) and whether the quote had expired when the document was made (an expired
quote can still be downloaded; it is marked 期限切れ / EXPIRED). ``send_quote`` stores the
document in the ``quote.sent`` event, so the attachment is the quote as it was when sent,
even if it is edited or deleted before the mail goes out.

The tenant's profile and its customers live in ``tenants/``, which core does not import
statically; they are reached by name at runtime, as ``core.messaging.branding`` does.
"""

from __future__ import annotations

import asyncio
import importlib
import threading
from dataclasses import asdict, dataclass, fields
from datetime import date
from functools import cache
from typing import Any

from core.billing.pdf import PdfRenderer
from core.catalog.calendar import tenant_today
from core.context import Context
from core.errors import ShomeiError
from core.orders.lines import ACCOUNT_CREDIT
from core.orders.printable import PrintableLine, PrintableQuote, printable_quote

SETTINGS_LOADER = "tenants.tenant_settings:get_settings"
CUSTOMER_TABLE = "tenants.tables:Customer"


def quote_number(quote_id: int) -> str:
    """The printed number: ``Q-000012`` (six digits, longer past 999999)."""
    return f"Q-{quote_id:06d}"


@dataclass(frozen=True)
class Party:
    """An issuer or a recipient as printed."""

    name: str
    postal_code: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    registration_number: str = ""


@dataclass(frozen=True)
class QuoteDocument:
    quote: PrintableQuote
    language: str
    issuer: Party
    recipient: Party | None
    expired: bool

    @property
    def number(self) -> str:
        return quote_number(self.quote.number)

    @property
    def filename(self) -> str:
        return f"{self.number}.pdf"

    @property
    def is_credit(self) -> bool:
        return self.quote.kind == ACCOUNT_CREDIT

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe snapshot (the ``quote.sent`` event's ``document``)."""
        quote = asdict(self.quote)
        quote["saved_on"] = self.quote.saved_on.isoformat()
        quote["valid_until"] = self.quote.valid_until.isoformat()
        return {
            "quote": quote,
            "language": self.language,
            "issuer": asdict(self.issuer),
            "recipient": asdict(self.recipient) if self.recipient else None,
            "expired": self.expired,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> QuoteDocument:
        raw = dict(data["quote"])
        raw["saved_on"] = date.fromisoformat(raw["saved_on"])
        raw["valid_until"] = date.fromisoformat(raw["valid_until"])
        raw["lines"] = tuple(PrintableLine(**line) for line in raw["lines"])
        raw["tax_totals"] = tuple(raw["tax_totals"])
        known = {f.name for f in fields(PrintableQuote)}
        return cls(
            quote=PrintableQuote(**{k: v for k, v in raw.items() if k in known}),
            language=data["language"],
            issuer=Party(**data["issuer"]),
            recipient=Party(**data["recipient"]) if data.get("recipient") else None,
            expired=bool(data["expired"]),
        )


def _by_name(path: str) -> Any:
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


async def issuer_party(ctx: Context) -> Party:
    """The tenant's company profile; its slug alone when it has no settings row."""
    try:
        found = await _by_name(SETTINGS_LOADER)(ctx)
    except ShomeiError:
        return Party(name=ctx.tenant.slug)
    company = getattr(found, "company", None)
    return Party(
        name=getattr(company, "organization_name", "") or getattr(found, "name", ""),
        postal_code=getattr(company, "postal_code", ""),
        address=getattr(company, "prefecture", "") + getattr(company, "address", ""),
        phone=getattr(company, "phone", ""),
        email=getattr(company, "contact_email", ""),
        registration_number=getattr(company, "registration_number", ""),
    )


async def recipient_party(ctx: Context, customer_id: int | None) -> Party | None:
    """The quote's customer (this tenant's only); none when the quote names no customer."""
    if customer_id is None:
        return None
    table = _by_name(CUSTOMER_TABLE)
    row = await (
        table.select()
        .where((table.id == customer_id) & (table.tenant == ctx.tenant.id))
        .first()
        .run()
    )
    if row is None:
        return None
    return Party(
        name=row["organization_name"],
        postal_code=row["postal_code"],
        address=row["prefecture"] + row["address"],
        phone=row["phone"],
    )


async def quote_document(ctx: Context, quote_id: int, language: str) -> QuoteDocument:
    """What the PDF of this tenant's quote prints today (``NotFound`` for another's)."""
    quote = await printable_quote(ctx, quote_id, language)
    return QuoteDocument(
        quote=quote,
        language=language,
        issuer=await issuer_party(ctx),
        recipient=await recipient_party(ctx, quote.customer_id),
        expired=tenant_today(ctx) > quote.valid_until,
    )


class QuotePdfRenderer(PdfRenderer):
    """Renders quotes to HTML and PDF; build once (``quote_pdf_renderer()``), reuse."""

    def __init__(self) -> None:
        super().__init__("core.orders", "orders/quote.html.j2", "orders/quote.css")
        self._lock = threading.Lock()

    def html(self, document: QuoteDocument, logo: str = "") -> str:
        return self.render_html(document.language, doc=document, quote=document.quote, logo=logo)

    def pdf(self, document: QuoteDocument, logo: str = "") -> bytes:
        with self._lock:  # one WeasyPrint render at a time on the shared font configuration
            return self.render_pdf(self.html(document, logo))

    async def pdf_async(self, document: QuoteDocument, logo: str = "") -> bytes:
        """``pdf`` in a worker thread, so a request's event loop keeps serving others."""
        return await asyncio.to_thread(self.pdf, document, logo)


@cache
def quote_pdf_renderer() -> QuotePdfRenderer:
    """One renderer per process (fonts and CSS are parsed once), built on first use."""
    return QuotePdfRenderer()
