"""The mailer: render, send, and record every message, once per (event key, recipient).

``Mailer.send`` records the message before sending it and updates the record after each try:
status ``pending`` → ``sending`` → ``sent`` or ``failed`` (tried again on the outbox event's
next delivery). A (tenant, idempotency key, recipient) that is already ``sent`` is never sent
again; the unique index makes a second row impossible, and the ``sending`` claim (a lease,
retaken after ``CLAIM_LEASE``) keeps two workers from sending the same message at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

import pluggy

from core.context import Context
from core.messaging.branding import PLATFORM_BRANDING, BrandingLoader, load_branding
from core.messaging.events import MAIL_KINDS, MailKind
from core.messaging.rendering import MailRenderer, RenderedMail
from core.messaging.tables import MailMessage
from core.messaging.transport import MailTransport, transport_for
from core.outbox_relay import Event
from core.sealing import Keyring
from core.settings import Settings

log = logging.getLogger("shomei.messaging")

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
CLAIM_LEASE = timedelta(minutes=10)
"""A ``sending`` claim older than this is taken to be a crashed sender's and is retaken."""


class MailBusy(RuntimeError):
    """Another worker is sending this message right now; the event is tried again later."""


class MailNotSent(RuntimeError):
    """At least one recipient of an event could not be mailed (the others were)."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


AttachmentSource = Callable[[], Awaitable[Sequence[Attachment]]]


async def no_attachments() -> Sequence[Attachment]:
    return ()


AttachmentBuilder = Callable[[Context, Event], Awaitable[Sequence[Attachment]]]
"""A plugin's files for one event's mail (``register_mail_attachments``)."""


def attachment_builders(pm: pluggy.PluginManager) -> dict[str, list[AttachmentBuilder]]:
    """Every plugin's ``register_mail_attachments``: event type -> builders, built-ins first."""
    merged: dict[str, list[AttachmentBuilder]] = {}
    for batch in reversed(pm.hook.register_mail_attachments()):
        for event_type, builder in batch.items():
            merged.setdefault(event_type, []).append(builder)
    return merged


@dataclass(frozen=True)
class MailRequest:
    kind: MailKind
    to: str
    language: str
    data: Mapping[str, Any]
    idempotency_key: str
    attachments: AttachmentSource = field(default=no_attachments)


@dataclass(frozen=True)
class MailRecord:
    """A recorded message as the console lists it."""

    id: int
    tenant_id: int
    recipient: str
    subject: str
    language: str
    template: str
    event_type: str
    idempotency_key: str
    status: str
    transport: str
    attempts: int
    last_error: str
    message_id: str
    attachments: list[str]
    created_at: datetime
    sent_at: datetime | None


def _record(row: Mapping[str, Any]) -> MailRecord:
    return MailRecord(**{name: row[name] for name in MailRecord.__dataclass_fields__})


class Mailer:
    """One per process: renderer (templates, catalogs), transport and sender address."""

    def __init__(
        self,
        renderer: MailRenderer,
        transport: MailTransport,
        sender: str,
        branding: BrandingLoader = load_branding,
        attachments: Mapping[str, Sequence[AttachmentBuilder]] | None = None,
        keyring: Keyring | None = None,
    ) -> None:
        self.renderer = renderer
        self.transport = transport
        self.sender = sender
        self.branding = branding
        self.attachments = {k: list(v) for k, v in (attachments or {}).items()}
        """Event type -> the plugins' attachment builders (``core.messaging.mail_events``)."""
        self.keyring = keyring
        """Opens the sealed token links of mail events (``core.messaging.mail_secrets``)."""

    @classmethod
    def from_settings(cls, settings: Settings, pm: pluggy.PluginManager) -> Mailer:
        return cls(
            MailRenderer(pm),
            transport_for(settings.smtp_url, settings.mail_folder),
            settings.mail_from,
            attachments=attachment_builders(pm),
            keyring=Keyring.from_settings(settings),
        )

    async def send(self, ctx: Context, request: MailRequest) -> MailRecord:
        """Send ``request`` unless it was already sent; raise when this try fails."""
        row = await _find(ctx, request.idempotency_key, request.to)
        if row is None:
            row = await self._insert(ctx, request)
        if row["status"] == SENT:
            return _record(row)
        now = ctx.clock.now()
        if not await _claim(ctx, row["id"], now):
            row = await _find(ctx, request.idempotency_key, request.to)
            if row is not None and row["status"] == SENT:
                return _record(row)
            raise MailBusy(f"mail {request.idempotency_key} to {request.to} is being sent")
        rendered: RenderedMail | None = None
        message_id = ""
        names: list[str] = []
        try:
            kind = request.kind
            branding = PLATFORM_BRANDING if kind.platform else await self.branding(ctx)
            rendered = self.renderer.render(request.kind, request.language, branding, request.data)
            attachments = list(await request.attachments())
            names = [item.filename for item in attachments]
            message = self.build(ctx, request.to, branding.name, rendered, attachments)
            if branding.support_email:
                message["Reply-To"] = branding.support_email
            message_id = message["Message-ID"]
            await asyncio.to_thread(self.transport.send, message)
        except Exception as exc:
            await _update(
                ctx,
                row["id"],
                {
                    MailMessage.status: FAILED,
                    MailMessage.last_error: f"{type(exc).__name__}: {exc}"[:2000],
                    MailMessage.subject: rendered.subject[:500] if rendered else "",
                    MailMessage.transport: self.transport.name,
                    MailMessage.attachments: names,
                },
            )
            raise
        await _update(
            ctx,
            row["id"],
            {
                MailMessage.status: SENT,
                MailMessage.last_error: "",
                MailMessage.subject: rendered.subject[:500],
                MailMessage.transport: self.transport.name,
                MailMessage.message_id: message_id,
                MailMessage.attachments: names,
                MailMessage.sent_at: ctx.clock.now(),
            },
        )
        found = await _find(ctx, request.idempotency_key, request.to)
        assert found is not None
        return _record(found)

    def build(
        self,
        ctx: Context,
        to: str,
        display_name: str,
        rendered: RenderedMail,
        attachments: Sequence[Attachment] = (),
    ) -> EmailMessage:
        """The MIME message: multipart/alternative (text, HTML), inside multipart/mixed when
        there are attachments. Headers with Japanese are RFC 2047 encoded, bodies UTF-8."""
        user, _, domain = self.sender.partition("@")
        message = EmailMessage()
        message["Subject"] = rendered.subject
        message["From"] = Address(display_name=display_name, username=user, domain=domain)
        message["To"] = to
        message["Date"] = format_datetime(ctx.clock.now())
        message["Message-ID"] = make_msgid(domain=domain or "localhost")
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(rendered.text, charset="utf-8")
        message.add_alternative(rendered.html, subtype="html", charset="utf-8")
        for item in attachments:
            maintype, _, subtype = item.content_type.partition("/")
            message.add_attachment(
                item.data, maintype=maintype, subtype=subtype, filename=item.filename
            )
        # last: making a message multipart moves every Content-* header into its first part
        message["Content-Language"] = rendered.language
        return message

    async def _insert(self, ctx: Context, request: MailRequest) -> dict[str, Any]:
        try:
            await MailMessage.insert(
                MailMessage(
                    tenant_id=ctx.tenant.id,
                    recipient=request.to,
                    language=request.language,
                    template=request.kind.template,
                    event_type=request.kind.event_type,
                    idempotency_key=request.idempotency_key,
                    status=PENDING,
                    created_at=ctx.clock.now(),
                )
            ).run()
        except Exception:  # a concurrent sender inserted the same (key, recipient) first
            found = await _find(ctx, request.idempotency_key, request.to)
            if found is None:
                raise
            return found
        found = await _find(ctx, request.idempotency_key, request.to)
        assert found is not None
        return found


async def _find(ctx: Context, key: str, to: str) -> dict[str, Any] | None:
    return await (
        MailMessage.select()
        .where(
            (MailMessage.tenant_id == ctx.tenant.id)
            & (MailMessage.idempotency_key == key)
            & (MailMessage.recipient == to)
        )
        .output(load_json=True)
        .first()
        .run()
    )


async def _claim(ctx: Context, message_id: int, now: datetime) -> bool:
    """Take the message for sending: pending or failed, or a crashed sender's stale claim."""
    claimed = await (
        MailMessage.update(
            {
                MailMessage.status: SENDING,
                MailMessage.claimed_at: now,
                MailMessage.attempts: MailMessage.attempts + 1,
            }
        )
        .where(
            (MailMessage.id == message_id)
            & (MailMessage.tenant_id == ctx.tenant.id)
            & (
                MailMessage.status.is_in([PENDING, FAILED])
                | ((MailMessage.status == SENDING) & (MailMessage.claimed_at < now - CLAIM_LEASE))
            )
        )
        .returning(MailMessage.id)
        .run()
    )
    return bool(claimed)


async def _update(ctx: Context, message_id: int, values: dict[Any, Any]) -> None:
    await (
        MailMessage.update(values)
        .where((MailMessage.id == message_id) & (MailMessage.tenant_id == ctx.tenant.id))
        .run()
    )


async def list_messages(ctx: Context, limit: int = 50, offset: int = 0) -> list[MailRecord]:
    """The tenant's recorded messages, newest first (the console's mail log)."""
    rows = await (
        MailMessage.select()
        .where(MailMessage.tenant_id == ctx.tenant.id)
        .order_by(MailMessage.id, ascending=False)
        .limit(limit)
        .offset(offset)
        .output(load_json=True)
        .run()
    )
    return [_record(row) for row in rows]


def kind_for(event_type: str) -> MailKind:
    return MAIL_KINDS[event_type]
