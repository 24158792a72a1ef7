"""Piccolo tables of the web app: browser sessions of signed-in (or signing-in) people."""

from __future__ import annotations

from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class WebSession(Table, tablename="web_session"):
    """One browser session after a correct password; anonymous visitors have no row.

    The cookie holds the random session id; only its SHA-256 is stored (``key_hash``), so a
    copy of this table opens no session. ``tenant_id`` is None for operators' sessions, which
    are read in a system scope; on PostgreSQL row-level security keeps tenants' rows apart.
    ``stage`` is ``second_factor`` (password right, TOTP code still due), ``change_password``
    (a password set by someone else must be replaced first) or ``signed_in``.
    """

    key_hash = Varchar(length=64, unique=True)
    tenant_id = Integer(null=True, default=None, index=True)
    area = Varchar(length=16)  # console | portal | operator
    account_kind = Varchar(length=16)  # staff | customer | operator
    account_id = Integer()
    email = Varchar(length=255, default="")
    stage = Varchar(length=16)
    pending_secret = Text(default="")  # the sealed password, only during the second-factor step
    created_at = Timestamptz()
    last_seen_at = Timestamptz()
