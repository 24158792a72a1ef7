"""The console's logs: the audit log (``tenants.audit``, who did what, append-only) and the
mail log (``core.messaging``: every e-mail the tenant's events sent or tried to send)."""

from __future__ import annotations

import json
from typing import Any

from litestar import Controller, Request, Response, get

from core.messaging.tables import MailMessage
from tenants.roles import Permission
from tenants.tables import AuditEntry
from web.console.access import SignedInStaff, staff
from web.console.listing import Column, Filter, ListSpec, list_response
from web.console.pages import page

MAIL_STATUSES = ("pending", "sending", "sent", "failed")


def _actor(row: dict[str, Any], fmt: Any) -> str:
    name = row["actor_name"] or row["actor_id"]
    text = f"{name} ({fmt._('web.console.actor_kind.' + row['actor_kind'])})"
    if row.get("on_behalf_of"):
        text += " " + fmt._("web.console.audit.on_behalf_of", operator=row["on_behalf_of"])
    return text


def _object(row: dict[str, Any], fmt: Any) -> str:
    return f"{row['object_type']} {row['object_id']}".strip()


def _details(row: dict[str, Any], fmt: Any) -> str:
    details = row.get("details") or {}
    if isinstance(details, str):
        details = json.loads(details or "{}")
    return json.dumps(details, ensure_ascii=False, sort_keys=True) if details else ""


AUDIT = ListSpec(
    name="audit-log",
    table=AuditEntry,
    columns=(
        Column("occurred_at", "web.console.audit.when", kind="datetime", sortable=True),
        Column("actor_name", "web.console.audit.who", value=_actor, sortable=True),
        Column("action", "web.console.audit.action", sortable=True),
        Column("object_type", "web.console.audit.object", value=_object, sortable=True),
        Column("ip_address", "web.console.audit.ip"),
        Column("details", "web.console.audit.details", value=_details),
    ),
    filters=(
        Filter.contains("action", (AuditEntry.action,), "web.console.audit.action"),
        Filter.contains(
            "actor", (AuditEntry.actor_name, AuditEntry.actor_id), "web.console.audit.who"
        ),
        Filter.contains("object", (AuditEntry.object_type,), "web.console.audit.object_type"),
        Filter.date_from("from", AuditEntry.occurred_at, "web.console.list.from"),
        Filter.date_to("to", AuditEntry.occurred_at, "web.console.list.to"),
    ),
    default_sort="-occurred_at",
)

MAIL = ListSpec(
    name="mail-log",
    table=MailMessage,
    columns=(
        Column("created_at", "web.console.mail.created_at", kind="datetime", sortable=True),
        Column("recipient", "web.console.mail.recipient", sortable=True),
        Column("subject", "web.console.mail.subject"),
        Column("event_type", "web.console.mail.event", sortable=True),
        Column(
            "status",
            "web.console.mail.status",
            kind="label",
            label_prefix="web.console.mail_status.",
        ),
        Column("attempts", "web.console.mail.attempts"),
        Column("sent_at", "web.console.mail.sent_at", kind="datetime", sortable=True),
        Column("last_error", "web.console.mail.last_error"),
    ),
    filters=(
        Filter.choice(
            "status",
            MailMessage.status,
            "web.console.mail.status",
            [(s, f"web.console.mail_status.{s}") for s in MAIL_STATUSES],
        ),
        Filter.contains(
            "q", (MailMessage.recipient, MailMessage.subject), "web.console.list.search"
        ),
        Filter.date_from("from", MailMessage.created_at, "web.console.list.from"),
        Filter.date_to("to", MailMessage.created_at, "web.console.list.to"),
    ),
    default_sort="-created_at",
)


class ConsoleLogs(Controller):
    path = "/console"
    include_in_schema = False

    @get("/audit")
    async def audit_log(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await staff(request, Permission.AUDIT_VIEW)
        if not isinstance(me, SignedInStaff):
            return me
        return await list_response(
            request,
            AUDIT,
            me.ctx,
            lambda listing: page(
                request, me, "pages/console/audit.html", section="audit", listing=listing
            ),
        )

    @get("/mail")
    async def mail_log(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await staff(request, Permission.CUSTOMERS_VIEW)
        if not isinstance(me, SignedInStaff):
            return me
        return await list_response(
            request,
            MAIL,
            me.ctx,
            lambda listing: page(
                request, me, "pages/console/mail.html", section="mail", listing=listing
            ),
        )
