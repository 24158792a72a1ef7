"""Tables of the entitlements app. Indexes Piccolo columns cannot declare are written by hand in
the second migration (SQLite cannot ALTER TABLE … ADD CONSTRAINT; an index works on both):

- ``entitlements_entitlement (tenant_id, order_line_id, seq)`` unique: a line's results are
  stored once, however often fulfilment runs;
- ``entitlements_entitlement (state, next_poll_at)``: the poller's due list;
- ``entitlements_fulfilment (tenant_id, order_id)`` unique: one fulfilment run per order.
"""

from __future__ import annotations

from piccolo.columns import JSON, Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class Entitlement(Table, tablename="entitlements_entitlement"):
    """One thing the customer can use (a voucher code, an application, a contract term).

    ``state`` holds ``core.contracts.providers.EntitlementState`` values; ``data`` is the
    provider's own record. ``seq`` numbers the results of one order line (0, 1, …).
    ``parent_id`` points at the entitlement an action started from (a reissue record);
    ``renewed_from_id`` at the term a renewal continues."""

    tenant_id = Integer(index=True)
    customer_id = Integer(null=True, default=None, index=True)
    order_id = Integer(null=True, default=None, index=True)
    order_line_id = Integer(null=True, default=None)
    seq = Integer(default=0)
    parent_id = Integer(null=True, default=None)
    provider_code = Varchar(length=64)
    provider_account_id = Integer(null=True, default=None)
    product_code = Varchar(length=64)
    state = Varchar(length=32)
    upstream_ref = Varchar(length=255, null=True, default=None)
    data = JSON(default={})
    issued_at = Timestamptz(null=True, default=None)
    expires_at = Timestamptz(null=True, default=None, index=True)
    next_poll_at = Timestamptz(null=True, default=None)
    poll_attempts = Integer(default=0)
    auto_renew = Boolean(default=False)
    payment_method = Varchar(length=64, default="")
    renewal_day = Integer(null=True, default=None)
    renewed_from_id = Integer(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Fulfilment(Table, tablename="entitlements_fulfilment"):
    """The fulfilment run of one paid order: how often it was tried, why it last failed, who
    holds it now (``claimed_by`` until ``lease_until``) and when it is due again."""

    tenant_id = Integer(index=True)
    order_id = Integer()
    attempts = Integer(default=0)
    last_error = Text(default="")
    claimed_by = Varchar(length=255, default="")
    lease_until = Timestamptz(null=True, default=None)
    next_attempt_at = Timestamptz(null=True, default=None, index=True)
    completed_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()
