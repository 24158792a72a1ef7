"""The one table of the jobs app.

The result file is stored in the row (``result``, bytes) rather than under the data dir: the
web and worker processes share the database but, in the Helm chart, no filesystem, and one row
holding the result makes "at most one result per job" a property of the schema.
"""

from __future__ import annotations

from piccolo.columns import JSON, Bytea, Integer, Timestamptz, Varchar
from piccolo.table import Table


class Job(Table, tablename="jobs_job"):
    """One piece of long work of a tenant: ``status`` is queued, running, done or failed;
    ``done``/``total`` count its units (PDF pages, file lines, CSV rows) and are committed as
    the work goes. ``claimed_by`` (a task id) holds it until ``lease_until``."""

    tenant_id = Integer(index=True)
    kind = Varchar(length=64)
    status = Varchar(length=16, default="queued")
    permission = Varchar(length=64, default="")
    """The console permission a staff member needs to see the job and its result."""
    params = JSON()
    payload = Bytea(null=True, default=None)
    """Input too big for ``params`` (an uploaded file)."""
    done = Integer(default=0)
    total = Integer(default=0)
    summary = JSON()
    """What the job reports besides its file (e.g. matched and unmatched counts)."""
    error_id = Varchar(length=128, default="")
    error_params = JSON()
    result = Bytea(null=True, default=None)
    filename = Varchar(length=255, default="")
    content_type = Varchar(length=100, default="")
    created_by = Varchar(length=255, default="")
    dedupe_key = Varchar(length=64, null=True, default=None)
    """A digest of the caller's key while the job is queued or running, NULL once it ends: a
    unique index on (tenant_id, kind, dedupe_key) allows one active job per key."""
    claimed_by = Varchar(length=64, default="")
    lease_until = Timestamptz(null=True, default=None)
    attempts = Integer(default=0)
    created_at = Timestamptz()
    started_at = Timestamptz(null=True, default=None)
    updated_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)
