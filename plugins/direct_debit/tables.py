"""Direct debit's tables: a mandate per customer account, one collection per mandate, month
and bill.

The unique indexes on (tenant_id, reference) and (tenant_id, mandate_id, month, payable_type,
payable_id) are created by hand in migrations (Piccolo's ``Unique`` constraint needs ALTER
TABLE; SQLite lacks it).
"""

from __future__ import annotations

from piccolo.columns import Date, Integer, Timestamptz, Varchar
from piccolo.table import Table


class Mandate(Table, tablename="direct_debit_mandate"):
    """A debit authorisation (預金口座振替依頼書): ``pending`` until the bank or collecting
    agent accepts it, then ``active`` from ``effective_date``; ``rejected`` or ``cancelled``
    end it. ``account_type`` is 1 普通 or 2 当座; ``holder_kana`` is half-width kana as the
    bank file carries it."""

    tenant_id = Integer(index=True)
    customer_id = Integer(index=True)
    bank_code = Varchar(length=4)
    bank_name_kana = Varchar(length=15, default="")
    branch_code = Varchar(length=3)
    branch_name_kana = Varchar(length=15, default="")
    account_type = Varchar(length=1)
    account_number = Varchar(length=7)
    holder_kana = Varchar(length=30)
    status = Varchar(length=16, default="pending")
    effective_date = Date(null=True, default=None)
    status_reason = Varchar(length=255, default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Collection(Table, tablename="direct_debit_collection"):
    """One bill's monthly debit from a mandate: ``pending`` (in the run), ``exported`` (in a
    request file), then ``collected`` or ``failed`` (``result_code`` and ``failure_reason``) as
    the result file or staff say. ``reference`` is
    ``dd:{mandate_id}:{yyyymm}:{payable_type}:{payable_id}``, so a customer with two plans has
    two debits in the month; a second result for the same collection is refused rather than
    overwriting the first."""

    tenant_id = Integer(index=True)
    mandate_id = Integer(index=True)
    month = Varchar(length=6)
    reference = Varchar(length=80)
    payable_type = Varchar(length=40)
    payable_id = Integer()
    amount = Integer()
    debit_date = Date()
    status = Varchar(length=16, default="pending")
    result_code = Varchar(length=1, default="")
    failure_reason = Varchar(length=255, default="")
    exported_at = Timestamptz(null=True, default=None)
    result_at = Timestamptz(null=True, default=None)
    recorded_by = Varchar(length=255, default="")
    created_at = Timestamptz()
