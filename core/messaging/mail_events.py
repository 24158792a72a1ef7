"""The outbox handler that turns a mail event into one message per recipient.

Recipients come from the payload (``to``: an address or a list; ``language``: ja/en, default
the tenant's). ``invoice.issued`` also works without them: the invoice names its recipient,
its language and its due date, and its PDF (rendered by ``core.billing.pdf``) is attached.
``quote.sent`` (written by ``core.orders.quote_mail.send_quote``) carries the quote document
as it was when sent; its PDF (``core.orders.quote_pdf``) is attached as ``<number>.pdf``.
Plugins attach files of their own through ``register_mail_attachments`` (the mailer's
``attachments``: event type -> builders), after these (the DigiCert voucher PDF of
``voucher.delivered``); core does not know what they are.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from core.billing.invoices import get_invoice
from core.billing.models import InvoiceView
from core.billing.pdf import InvoicePdfRenderer, format_day
from core.context import Context
from core.i18n import LANGUAGES
from core.messaging.branding import load_logo
from core.messaging.events import MAIL_KINDS
from core.messaging.mail_secrets import open_fields
from core.messaging.mailer import (
    Attachment,
    AttachmentBuilder,
    AttachmentSource,
    Mailer,
    MailNotSent,
    MailRequest,
    no_attachments,
)
from core.orders.quote_pdf import QuoteDocument, quote_pdf_renderer
from core.outbox_relay import Event, Handler
from core.sealing import Keyring

log = logging.getLogger("shomei.messaging")

_pdf_renderer: list[InvoicePdfRenderer] = []


def invoice_pdf_renderer() -> InvoicePdfRenderer:
    """One renderer per process (fonts and CSS are parsed once), built on first use."""
    if not _pdf_renderer:
        _pdf_renderer.append(InvoicePdfRenderer())
    return _pdf_renderer[0]


def recipients(payload: dict[str, Any]) -> list[str]:
    raw = payload.get("to") or []
    found = [raw] if isinstance(raw, str) else list(raw)
    return list(dict.fromkeys(str(address).strip() for address in found if str(address).strip()))


def _language(value: Any, fallback: str) -> str:
    return value if value in LANGUAGES else fallback


def _invoice_attachment(ctx: Context, invoice: InvoiceView, language: str) -> AttachmentSource:
    async def build() -> Sequence[Attachment]:
        logo = await load_logo(ctx)
        pdf = invoice_pdf_renderer().pdf(invoice, language, ctx.tenant.time_zone, logo)
        return [Attachment(f"{invoice.number}.pdf", "application/pdf", pdf)]

    return build


def _quote_attachment(ctx: Context, document: QuoteDocument) -> AttachmentSource:
    async def build() -> Sequence[Attachment]:
        pdf = quote_pdf_renderer().pdf(document, await load_logo(ctx))
        return [Attachment(document.filename, "application/pdf", pdf)]

    return build


def _with_plugin_files(
    ctx: Context, event: Event, own: AttachmentSource, builders: Sequence[AttachmentBuilder]
) -> AttachmentSource:
    async def build() -> Sequence[Attachment]:
        files = list(await own())
        for builder in builders:
            files.extend(await builder(ctx, event))
        return files

    return build


async def mail_requests(
    ctx: Context,
    event: Event,
    builders: Mapping[str, Sequence[AttachmentBuilder]] | None = None,
    keyring: Keyring | None = None,
) -> list[MailRequest]:
    """The messages an event asks for (none when it names no recipient); ``builders`` are
    the plugins' attachment builders by event type (``register_mail_attachments``); sealed
    token links are opened with ``keyring`` (``core.messaging.mail_secrets``)."""
    kind = MAIL_KINDS[event.event_type]
    data = open_fields(keyring, ctx.tenant.id, kind.sealed, dict(event.payload))
    to = recipients(data)
    language = _language(data.get("language"), ctx.tenant.language)
    attachments: AttachmentSource = no_attachments
    if event.event_type == "invoice.issued" and data.get("invoice_id") is not None:
        invoice = await get_invoice(ctx, int(data["invoice_id"]))
        language = _language(data.get("language"), invoice.language)
        to = to or ([invoice.recipient.email] if invoice.recipient.email else [])
        data.setdefault("due_date", format_day(invoice.due_date, language))
        data.setdefault("customer_name", invoice.recipient.contact_name or None)
        data.setdefault("number", invoice.number)
        data.setdefault("grand_total", invoice.grand_total)
        attachments = _invoice_attachment(ctx, invoice, language)
    if event.event_type == "quote.sent" and data.get("document"):
        document = QuoteDocument.from_json(data.pop("document"))
        attachments = _quote_attachment(ctx, document)
    plugin_builders = (builders or {}).get(event.event_type)
    if plugin_builders:
        attachments = _with_plugin_files(ctx, event, attachments, plugin_builders)
    return [
        MailRequest(kind, address, language, data, event.idempotency_key, attachments)
        for address in to
    ]


def mail_handler(mailer: Callable[[], Mailer]) -> Handler:
    """An outbox handler sending an event's mail through ``mailer()`` (looked up per call)."""

    async def send_event_mail(ctx: Context, event: Event) -> None:
        requests = await mail_requests(ctx, event, mailer().attachments, mailer().keyring)
        if not requests:
            log.info("mail event without a recipient", extra={"event_id": event.id})
            return
        failures: list[str] = []
        for request in requests:  # every recipient is tried; the sent ones are skipped later
            try:
                await mailer().send(ctx, request)
            except Exception as exc:
                failures.append(f"{request.to}: {type(exc).__name__}: {exc}")
        if failures:
            raise MailNotSent("; ".join(failures))

    return send_event_mail


def mail_handlers(mailer: Callable[[], Mailer]) -> dict[str, list[Handler]]:
    """``register_event_handlers``' mail part: every mail event type to the one handler."""
    handler = mail_handler(mailer)
    return {event_type: [handler] for event_type in MAIL_KINDS}
