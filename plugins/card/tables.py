"""The card plugin's own table: Stripe event ids already received, per tenant."""

from __future__ import annotations

from piccolo.columns import Integer, Timestamptz, Varchar
from piccolo.table import Table


class CardWebhookEvent(Table, tablename="card_webhook_event"):
    """One row per (tenant, Stripe event id): a replayed webhook finds its row and stops."""

    tenant_id = Integer(index=True)
    event_id = Varchar(length=255)
    event_type = Varchar(length=100)
    received_at = Timestamptz()
    # The unique index on (tenant_id, event_id) is created by hand in the migration:
    # Piccolo's Unique constraint needs ALTER TABLE ... ADD CONSTRAINT, which SQLite lacks.
