"""Parse Zengin (全銀協) 振込入金通知 and 入出金取引明細 files: 200-byte cp932 records.

A file is one or more groups of header (1), data (2)…, trailer (8), closed by one end record
(9). Records may be separated by CRLF or LF or not at all. Each group's trailer must agree
with its data records (count and amount); a file that fails any check is refused whole with
a ``ZenginError`` naming the check, so nothing of a damaged file is ever applied.
"""

from __future__ import annotations

import hashlib
from datetime import date

from plugins.bank_transfer import layouts as L
from plugins.bank_transfer.eras import EraDateError, parse_era_date
from plugins.bank_transfer.records import (
    BankAccount,
    FileKind,
    TransferLine,
    ZenginError,
    ZenginFile,
)

ENCODING = "cp932"
KINDS: dict[str, FileKind] = {
    L.TRANSFER_NOTICE: "transfer_notice",
    L.ACCOUNT_STATEMENT: "account_statement",
}


def split_records(data: bytes) -> list[bytes]:
    """200-byte records from CRLF/LF-separated or unseparated bytes (a DOS EOF byte is ignored)."""
    data = data.rstrip(b"\x1a")
    if b"\n" in data or b"\r" in data:
        raw = [line.rstrip(b"\r") for line in data.replace(b"\r\n", b"\n").split(b"\n")]
        records = [line for line in raw if line.strip()]
    else:
        if len(data) % L.RECORD_LENGTH:
            raise ZenginError(
                "record.length", 0, f"{len(data)} bytes is not a multiple of {L.RECORD_LENGTH}"
            )
        records = [data[i : i + L.RECORD_LENGTH] for i in range(0, len(data), L.RECORD_LENGTH)]
    for number, record in enumerate(records, start=1):
        if len(record) != L.RECORD_LENGTH:
            raise ZenginError(
                "record.length", number, f"{len(record)} bytes, expected {L.RECORD_LENGTH}"
            )
    if not records:
        raise ZenginError("structure", 0, "the file is empty")
    return records


def read_fields(record: bytes, fields: tuple[L.Field, ...], number: int) -> dict[str, str]:
    """Each field decoded from cp932; N fields must be digits (or blank)."""
    values: dict[str, str] = {}
    for field in fields:
        chunk = record[field.start - 1 : field.end]
        try:
            text = chunk.decode(ENCODING)
        except UnicodeDecodeError:
            raise ZenginError(
                "encoding", number, f"{field.name} (columns {field.start}-{field.end}) is not cp932"
            ) from None
        if "\x00" in text:
            raise ZenginError(
                "encoding", number, f"{field.name} (columns {field.start}-{field.end}) holds NUL"
            )
        if field.kind == "N":
            text = text.strip()
            if text and not text.isdigit():
                raise ZenginError(
                    "numeric",
                    number,
                    f"{field.name} (columns {field.start}-{field.end}) is {text!r}, not digits",
                )
        else:
            text = text.rstrip(" ")
        values[field.name] = text
    return values


def _int(value: str) -> int:
    return int(value) if value else 0


def _date(value: str, number: int, name: str, today: date) -> date | None:
    try:
        return parse_era_date(value, today) if value else None
    except EraDateError as exc:
        raise ZenginError("date", number, f"{name}: {exc}") from None


class _Group:
    def __init__(self, kind_code: str, account: BankAccount) -> None:
        self.kind_code = kind_code
        self.account = account
        self.lines: list[TransferLine] = []


def parse_zengin(data: bytes, today: date) -> ZenginFile:
    """Parse a whole file or refuse it. ``today`` (from the caller's clock) decides eras."""
    records = split_records(data)
    kind_code: str | None = None
    created_on: date | None = None
    group: _Group | None = None
    accounts: list[BankAccount] = []
    lines: list[TransferLine] = []
    ended = False
    for number, record in enumerate(records, start=1):
        record_type = record[:1].decode("ascii", "replace")
        if ended:
            raise ZenginError("structure", number, "records after the end record (9)")
        if record_type == L.HEADER:
            if group is not None:
                raise ZenginError("structure", number, "header (1) before the trailer (8)")
            code = record[1:3].decode("ascii", "replace")
            if code not in KINDS:
                raise ZenginError("kind_code", number, f"種別コード {code!r} is not 01 or 03")
            if kind_code not in (None, code):
                raise ZenginError("kind_code", number, "groups of different kinds in one file")
            kind_code = code
            values = read_fields(record, L.LAYOUTS[code][L.HEADER], number)
            if values["code_set"] not in ("", "0"):
                raise ZenginError("code_set", number, "only JIS/Shift_JIS (コード区分 0) is read")
            created_on = created_on or _date(values["created_on"], number, "created_on", today)
            group = _Group(code, _account(values))
            accounts.append(group.account)
        elif record_type == L.DATA:
            if group is None:
                raise ZenginError("structure", number, "data (2) outside a header/trailer group")
            group.lines.append(_line(group, record, number, today))
        elif record_type == L.TRAILER:
            if group is None:
                raise ZenginError("structure", number, "trailer (8) without a header")
            values = read_fields(record, L.LAYOUTS[group.kind_code][L.TRAILER], number)
            _check_trailer(group, values, number)
            lines.extend(group.lines)
            group = None
        elif record_type == L.END:
            if group is not None:
                raise ZenginError("structure", number, "end record (9) before the trailer (8)")
            ended = True
        else:
            raise ZenginError("structure", number, f"unknown データ区分 {record_type!r}")
    if not ended:
        raise ZenginError("structure", len(records), "no end record (9)")
    if kind_code is None:
        raise ZenginError("structure", 0, "no header record (1)")
    return ZenginFile(
        kind=KINDS[kind_code],
        created_on=created_on,
        accounts=tuple(accounts),
        lines=tuple(lines),
        fingerprint=hashlib.sha256(b"".join(records)).hexdigest(),
    )


def _account(values: dict[str, str]) -> BankAccount:
    return BankAccount(
        bank_code=values["bank_code"],
        bank_name=values["bank_name"],
        branch_code=values["branch_code"],
        branch_name=values["branch_name"],
        account_type=values["account_type"],
        account_number=values["account_number"],
        account_name=values["account_name"],
    )


def line_fingerprint(account: BankAccount, record: bytes) -> str:
    key = f"{account.bank_code}:{account.branch_code}:{account.account_number}|".encode()
    return hashlib.sha256(key + record).hexdigest()


def _line(group: _Group, record: bytes, number: int, today: date) -> TransferLine:
    values = read_fields(record, L.LAYOUTS[group.kind_code][L.DATA], number)
    notice = group.kind_code == L.TRANSFER_NOTICE
    return TransferLine(
        kind=KINDS[group.kind_code],
        record_number=number,
        account=group.account,
        inquiry_number=values["inquiry_number"],
        account_date=_date(values["account_date"], number, "account_date", today),
        value_date=_date(values["value_date"], number, "value_date", today),
        amount=_int(values["amount"]),
        payer_code=values["payer_code"],
        payer_name=values["payer_name"],
        remitting_bank=values["remitting_bank"],
        remitting_branch=values["remitting_branch"],
        edi=values["edi"],
        transaction_type="" if notice else values["transaction_type"],
        credit=notice or values["direction"] == "1",
        cancelled=notice and values["cancel_flag"] == "1",
        fingerprint=line_fingerprint(group.account, record),
    )


def _expect(check: str, number: int, what: str, stated: int, found: int) -> None:
    if stated != found:
        raise ZenginError(check, number, f"trailer states {what} {stated}, the data give {found}")


def _check_trailer(group: _Group, values: dict[str, str], number: int) -> None:
    if group.kind_code == L.TRANSFER_NOTICE:
        paid = [line for line in group.lines if not line.cancelled]
        cancels = [line for line in group.lines if line.cancelled]
        _expect("trailer.count", number, "振込件数", _int(values["count"]), len(paid))
        _expect(
            "trailer.total",
            number,
            "振込金額合計",
            _int(values["total"]),
            sum(x.amount for x in paid),
        )
        _expect(
            "trailer.cancel_count", number, "取消件数", _int(values["cancel_count"]), len(cancels)
        )
        _expect(
            "trailer.cancel_total",
            number,
            "取消金額合計",
            _int(values["cancel_total"]),
            sum(x.amount for x in cancels),
        )
        return
    credits = [line for line in group.lines if line.credit]
    debits = [line for line in group.lines if not line.credit]
    _expect(
        "trailer.count", number, "データレコード件数", _int(values["data_count"]), len(group.lines)
    )
    _expect("trailer.count", number, "入金件数", _int(values["credit_count"]), len(credits))
    _expect(
        "trailer.total",
        number,
        "入金額合計",
        _int(values["credit_total"]),
        sum(x.amount for x in credits),
    )
    _expect("trailer.count", number, "出金件数", _int(values["debit_count"]), len(debits))
    _expect(
        "trailer.total",
        number,
        "出金額合計",
        _int(values["debit_total"]),
        sum(x.amount for x in debits),
    )
