"""Tables of the messaging app; every one is tenant-owned (``tenant_id``).

Composite unique indexes live in a hand-written migration (SQLite has no ADD CONSTRAINT):
``mail_message (tenant_id, idempotency_key, recipient)`` makes a redelivered event find the
message it already sent; ``webhook_delivery (tenant_id, endpoint_id, idempotency_key)`` makes
one delivery per event and endpoint.
"""

from __future__ import annotations

from piccolo.columns import JSON, Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class MailMessage(Table, tablename="mail_message"):
    """One e-mail to one recipient, recorded before it is sent and updated after each try."""

    tenant_id = Integer(index=True)
    recipient = Varchar(length=320)
    subject = Varchar(length=500, default="")
    language = Varchar(length=8, default="ja")
    template = Varchar(length=100)
    event_type = Varchar(length=64, default="")
    idempotency_key = Varchar(length=200)
    status = Varchar(length=16, default="pending")  # pending, sending, sent, failed
    transport = Varchar(length=16, default="")  # smtp or file
    attempts = Integer(default=0)
    last_error = Text(default="")
    message_id = Varchar(length=300, default="")
    attachments = JSON(default=[])
    created_at = Timestamptz()
    claimed_at = Timestamptz(null=True, default=None)
    sent_at = Timestamptz(null=True, default=None)


class WebhookEndpoint(Table, tablename="webhook_endpoint"):
    """A tenant's receiver: where to POST, the shared signing secret, which events it wants."""

    tenant_id = Integer(index=True)
    url = Varchar(length=2000)
    secret = Varchar(length=200)
    event_types = JSON(default=[])  # event type names, or ["*"] for every webhook event
    description = Varchar(length=200, default="")
    active = Boolean(default=True)
    created_at = Timestamptz()


class WebhookDelivery(Table, tablename="webhook_delivery"):
    """One event for one endpoint: the exact body, its state and when it is tried next."""

    tenant_id = Integer(index=True)
    endpoint_id = Integer(index=True)
    event_id = Integer()
    event_type = Varchar(length=64)
    idempotency_key = Varchar(length=200)
    body = Text()
    status = Varchar(length=16, default="pending", index=True)
    # pending (due), queued (a task is or will be on its way), sending, delivered,
    # failed (gave up after the retry window), cancelled (endpoint gone or disabled)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(null=True, default=None, index=True)
    window_started_at = Timestamptz()
    last_status_code = Integer(null=True, default=None)
    last_error = Text(default="")
    created_at = Timestamptz()
    delivered_at = Timestamptz(null=True, default=None)


class WebhookAttempt(Table, tablename="webhook_attempt"):
    """The delivery log: one row per HTTP attempt, including replays."""

    tenant_id = Integer(index=True)
    delivery_id = Integer(index=True)
    number = Integer()
    replay = Boolean(default=False)
    started_at = Timestamptz()
    duration_ms = Integer(default=0)
    status_code = Integer(null=True, default=None)
    error = Text(default="")
