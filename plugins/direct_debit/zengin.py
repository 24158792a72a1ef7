"""The Zengin (全銀協) direct-debit request file (預金口座振替依頼データ), 120-byte records.

Records are Shift_JIS (cp932) half-width characters, one per line ending CRLF: a header (1),
one data record per debit (2), a trailer (8) and an end record (9). The bank returns the same
layout with each data record's result code (振替結果コード) filled in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.zengin_kana import KANA_NAME, is_zengin_kana, to_zengin_kana  # noqa: F401  (used as zengin.*)

RECORD_LENGTH = 120
ENCODING = "cp932"
KIND_CODE = "91"  # 口座振替

RESULT_CODES: dict[str, str] = {
    "0": "collected",  # 振替済
    "1": "insufficient_funds",  # 資金不足
    "2": "no_account",  # 預金取引なし
    "3": "stopped_by_payer",  # 預金者の都合による振替停止
    "4": "no_mandate",  # 預金口座振替依頼書なし
    "8": "stopped_by_consignor",  # 委託者の都合による振替停止
    "9": "other",  # その他
}


def _alpha(text: str, width: int) -> str:
    encoded = text.encode(ENCODING)[:width]
    return encoded.decode(ENCODING, errors="ignore") + " " * (width - len(encoded))


def _number(value: int | str, width: int) -> str:
    text = str(value)
    if not text.isdigit() or len(text) > width:
        raise ValueError(f"{value!r} does not fit {width} digits")
    return text.zfill(width)


@dataclass(frozen=True)
class Consignor:
    """The tenant as the collecting party (委託者) and its own account."""

    code: str
    name_kana: str
    bank_code: str
    bank_name_kana: str
    branch_code: str
    branch_name_kana: str
    account_type: str
    account_number: str


@dataclass(frozen=True)
class DebitLine:
    bank_code: str
    bank_name_kana: str
    branch_code: str
    branch_name_kana: str
    account_type: str
    account_number: str
    holder_kana: str
    amount: int
    customer_number: str
    first_time: bool = False
    result_code: str = "0"


def _record(*fields: str) -> str:
    line = "".join(fields)
    if len(line.encode(ENCODING)) != RECORD_LENGTH:
        raise ValueError(f"a Zengin record is {RECORD_LENGTH} bytes, not {len(line)}")
    return line


def request_file(consignor: Consignor, debit_date: date, lines: list[DebitLine]) -> bytes:
    """The request file for one debit date."""
    records = [
        _record(
            "1",
            KIND_CODE,
            "0",
            _number(consignor.code, 10),
            _alpha(consignor.name_kana, 40),
            debit_date.strftime("%m%d"),
            _number(consignor.bank_code, 4),
            _alpha(consignor.bank_name_kana, 15),
            _number(consignor.branch_code, 3),
            _alpha(consignor.branch_name_kana, 15),
            _number(consignor.account_type, 1),
            _number(consignor.account_number, 7),
            " " * 17,
        )
    ]
    for line in lines:
        records.append(
            _record(
                "2",
                _number(line.bank_code, 4),
                _alpha(line.bank_name_kana, 15),
                _number(line.branch_code, 3),
                _alpha(line.branch_name_kana, 15),
                " " * 4,
                _number(line.account_type, 1),
                _number(line.account_number, 7),
                _alpha(line.holder_kana, 30),
                _number(line.amount, 10),
                "1" if line.first_time else "0",
                _number(line.customer_number, 20),
                _number(line.result_code, 1),
                " " * 8,
            )
        )
    collected = [x for x in lines if x.result_code == "0"]
    refused = [x for x in lines if x.result_code != "0"]
    records.append(
        _record(
            "8",
            _number(len(lines), 6),
            _number(sum(x.amount for x in lines), 12),
            _number(len(collected), 6),
            _number(sum(x.amount for x in collected), 12),
            _number(len(refused), 6),
            _number(sum(x.amount for x in refused), 12),
            " " * 65,
        )
    )
    records.append(_record("9", " " * 119))
    return "".join(record + "\r\n" for record in records).encode(ENCODING)


@dataclass(frozen=True)
class ResultLine:
    customer_number: str
    amount: int
    result_code: str


class ResultFileError(ValueError):
    """The result file is not a well-formed Zengin direct-debit file."""


def parse_results(data: bytes) -> list[ResultLine]:
    """The data records of a result file, checked against its trailer's count and total."""
    text = data.decode(ENCODING)
    lines = [line for line in text.replace("\r\n", "\n").split("\n") if line]
    results: list[ResultLine] = []
    trailer: str | None = None
    for number, line in enumerate(lines, start=1):
        if len(line.encode(ENCODING)) != RECORD_LENGTH:
            raise ResultFileError(f"record {number} is not {RECORD_LENGTH} bytes")
        if line[0] == "2":
            raw = line.encode(ENCODING)
            code = raw[111:112].decode()
            if code not in RESULT_CODES:
                raise ResultFileError(f"record {number}: unknown result code {code!r}")
            results.append(ResultLine(raw[91:111].decode(), int(raw[80:90].decode()), code))
        elif line[0] == "8":
            trailer = line
        elif line[0] == "1" and line[1:3] != KIND_CODE:
            raise ResultFileError("not a direct-debit file")
    if trailer is None or int(trailer[1:7]) != len(results):
        raise ResultFileError("the trailer's count does not match the records")
    if int(trailer[7:19]) != sum(r.amount for r in results):
        raise ResultFileError("the trailer's total does not match the records")
    return results
