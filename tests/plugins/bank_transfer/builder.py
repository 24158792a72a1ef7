"""Build Zengin files by hand for the tests (see README.md in this folder).

Written independently of ``plugins.bank_transfer.layouts``: each record is the fields in the
order of the 全銀協 tables, padded here, so a wrong position in the parser's table shows.
"""

from __future__ import annotations

from dataclasses import dataclass


def n(value: int | str, width: int) -> str:
    text = str(value)
    assert text.isdigit() and len(text) <= width, (value, width)
    return text.rjust(width, "0")


def c(value: str, width: int) -> str:
    assert len(value.encode("cp932")) <= width, (value, width)
    return value + " " * (width - len(value.encode("cp932")))


def record(*parts: str) -> bytes:
    raw = "".join(parts).encode("cp932")
    assert len(raw) == 200, len(raw)
    return raw


@dataclass
class Transfer:
    amount: int
    payer_name: str
    inquiry: int = 1
    date: str = "080415"  # 令和8年4月15日 = 2026-04-15
    cancelled: bool = False
    edi: str = ""


def notice_header(account_number: str = "1234567", date: str = "080415") -> bytes:
    return record(
        "1", "01", "0", date, date, date,
        "0001", c("ﾐｽﾞﾎ", 15), "123", c("ﾄｳｷﾖｳ", 15),
        "1", n(account_number, 7), c("ｼﾖｳﾒｲ(ｶ", 40), c("", 93),
    )  # fmt: skip


def notice_data(t: Transfer) -> bytes:
    return record(
        "2", n(t.inquiry, 6), t.date, t.date, n(t.amount, 10), n(0, 10), n(0, 10),
        c(t.payer_name, 48), c("ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ", 15), c("ｼﾌﾞﾔ", 15),
        "1" if t.cancelled else "0", c(t.edi, 20), c("", 52),
    )  # fmt: skip


def notice_trailer(count: int, total: int, cancel_count: int = 0, cancel_total: int = 0) -> bytes:
    return record(
        "8", n(count, 6), n(total, 12), n(cancel_count, 6), n(cancel_total, 12), c("", 163)
    )


def end_record() -> bytes:
    return record("9", c("", 199))


def notice_group(
    transfers: list[Transfer],
    account_number: str = "1234567",
    count: int | None = None,
    total: int | None = None,
) -> list[bytes]:
    paid = [t for t in transfers if not t.cancelled]
    cancels = [t for t in transfers if t.cancelled]
    return [
        notice_header(account_number),
        *(notice_data(t) for t in transfers),
        notice_trailer(
            len(paid) if count is None else count,
            sum(t.amount for t in paid) if total is None else total,
            len(cancels),
            sum(t.amount for t in cancels),
        ),
    ]


def notice_file(
    transfers: list[Transfer],
    separator: bytes = b"\r\n",
    count: int | None = None,
    total: int | None = None,
) -> bytes:
    records = [*notice_group(transfers, count=count, total=total), end_record()]
    return separator.join(records) + separator


@dataclass
class Movement:
    amount: int
    payer_name: str = ""
    credit: bool = True
    inquiry: int = 1
    date: str = "080415"


def statement_data(m: Movement) -> bytes:
    return record(
        "2", n(m.inquiry, 8), m.date, m.date, "1" if m.credit else "2",
        "11" if m.credit else "14", n(m.amount, 12), n(0, 12), n(0, 6), n(0, 6), " ",
        c("", 7), c("", 3), c("", 10), c(m.payer_name, 48), c("", 15), c("", 15),
        c("ﾌﾘｺﾐ" if m.credit else "ﾌﾘｶｴ", 20), c("", 20), " ",
    )  # fmt: skip


def statement_file(movements: list[Movement], separator: bytes = b"\r\n") -> bytes:
    header = record(
        "1", "03", "0", "080415", "080401", "080415",
        "0001", c("ﾐｽﾞﾎ", 15), "123", c("ﾄｳｷﾖｳ", 15), "000",
        "1", n("1234567", 10), c("ｼﾖｳﾒｲ(ｶ", 40), "0", "1", n(1_000_000, 14), c("", 71),
    )  # fmt: skip
    data = [statement_data(m) for m in movements]
    credits = [m for m in movements if m.credit]
    debits = [m for m in movements if not m.credit]
    trailer = record(
        "8", n(len(credits), 6), n(sum(m.amount for m in credits), 13),
        n(len(debits), 6), n(sum(m.amount for m in debits), 13), "0", n(0, 14),
        n(len(movements), 7), c("", 139),
    )  # fmt: skip
    return separator.join([header, *data, trailer, end_record()]) + separator
