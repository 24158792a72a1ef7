"""Field positions of the Zengin (全銀協) 200-byte records shomei reads.

Positions are 1-based byte columns, as the banks' layout tables print them; every record is
200 bytes. ``N`` fields are digits, right-aligned and zero-filled; ``C`` fields are half-width
characters (kana, upper-case letters, digits), left-aligned and space-filled. The tables are
repeated, with sources, in docs/payments.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

RECORD_LENGTH = 200
HEADER, DATA, TRAILER, END = "1", "2", "8", "9"
TRANSFER_NOTICE = "01"  # 振込入金通知
ACCOUNT_STATEMENT = "03"  # 入出金取引明細


@dataclass(frozen=True)
class Field:
    name: str
    start: int  # 1-based column
    length: int
    kind: Literal["N", "C"]

    @property
    def end(self) -> int:
        return self.start + self.length - 1


def layout(*specs: tuple[str, int, Literal["N", "C"]]) -> tuple[Field, ...]:
    """Fields from (name, length, kind) in record order; the lengths must add up to 200."""
    fields: list[Field] = []
    column = 1
    for name, length, kind in specs:
        fields.append(Field(name, column, length, kind))
        column += length
    if column - 1 != RECORD_LENGTH:
        raise AssertionError(f"layout covers {column - 1} bytes, not {RECORD_LENGTH}")
    return tuple(fields)


# 振込入金通知 (種別コード 01)
NOTICE_HEADER = layout(
    ("record_type", 1, "N"),
    ("kind_code", 2, "N"),
    ("code_set", 1, "N"),
    ("created_on", 6, "N"),
    ("period_from", 6, "N"),
    ("period_to", 6, "N"),
    ("bank_code", 4, "N"),
    ("bank_name", 15, "C"),
    ("branch_code", 3, "N"),
    ("branch_name", 15, "C"),
    ("account_type", 1, "N"),
    ("account_number", 7, "N"),
    ("account_name", 40, "C"),
    ("dummy", 93, "C"),
)
NOTICE_DATA = layout(
    ("record_type", 1, "N"),
    ("inquiry_number", 6, "N"),
    ("account_date", 6, "N"),
    ("value_date", 6, "N"),
    ("amount", 10, "N"),
    ("other_bank_cheques", 10, "N"),
    ("payer_code", 10, "N"),
    ("payer_name", 48, "C"),
    ("remitting_bank", 15, "C"),
    ("remitting_branch", 15, "C"),
    ("cancel_flag", 1, "C"),
    ("edi", 20, "C"),
    ("dummy", 52, "C"),
)
NOTICE_TRAILER = layout(
    ("record_type", 1, "N"),
    ("count", 6, "N"),
    ("total", 12, "N"),
    ("cancel_count", 6, "N"),
    ("cancel_total", 12, "N"),
    ("dummy", 163, "C"),
)

# 入出金取引明細 (種別コード 03)
STATEMENT_HEADER = layout(
    ("record_type", 1, "N"),
    ("kind_code", 2, "N"),
    ("code_set", 1, "N"),
    ("created_on", 6, "N"),
    ("period_from", 6, "N"),
    ("period_to", 6, "N"),
    ("bank_code", 4, "N"),
    ("bank_name", 15, "C"),
    ("branch_code", 3, "N"),
    ("branch_name", 15, "C"),
    ("dummy1", 3, "N"),
    ("account_type", 1, "N"),
    ("account_number", 10, "N"),
    ("account_name", 40, "C"),
    ("overdraft_flag", 1, "N"),
    ("passbook_flag", 1, "N"),
    ("opening_balance", 14, "N"),
    ("dummy", 71, "C"),
)
STATEMENT_DATA = layout(
    ("record_type", 1, "N"),
    ("inquiry_number", 8, "N"),
    ("account_date", 6, "N"),
    ("value_date", 6, "N"),
    ("direction", 1, "N"),  # 入払区分: 1 入金 (credit), 2 出金 (debit)
    (
        "transaction_type",
        2,
        "N",
    ),  # 取引区分: 10 現金, 11 振込, 12 他店券入金, 13 交換, 14 振替, ...
    ("amount", 12, "N"),
    ("other_bank_cheques", 12, "N"),
    ("clearing_date", 6, "N"),
    ("dishonour_date", 6, "N"),
    ("bill_type", 1, "C"),
    ("bill_number", 7, "C"),
    ("sister_branch", 3, "C"),
    ("payer_code", 10, "C"),
    ("payer_name", 48, "C"),
    ("remitting_bank", 15, "C"),
    ("remitting_branch", 15, "C"),
    ("summary", 20, "C"),
    ("edi", 20, "C"),
    ("dummy", 1, "C"),
)
STATEMENT_TRAILER = layout(
    ("record_type", 1, "N"),
    ("credit_count", 6, "N"),
    ("credit_total", 13, "N"),
    ("debit_count", 6, "N"),
    ("debit_total", 13, "N"),
    ("overdraft_flag", 1, "N"),
    ("closing_balance", 14, "N"),
    ("data_count", 7, "N"),
    ("dummy", 139, "C"),
)
END_RECORD = layout(("record_type", 1, "N"), ("dummy", 199, "C"))

LAYOUTS = {
    TRANSFER_NOTICE: {HEADER: NOTICE_HEADER, DATA: NOTICE_DATA, TRAILER: NOTICE_TRAILER},
    ACCOUNT_STATEMENT: {HEADER: STATEMENT_HEADER, DATA: STATEMENT_DATA, TRAILER: STATEMENT_TRAILER},
}
