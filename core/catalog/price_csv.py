"""Reading a wholesale price table (Price Table / 価格表) from CSV, all rows or none.

Accepted files (see docs/orders.md): UTF-8 (with or without BOM) or Shift_JIS (cp932, as
Japanese Excel saves), comma- or tab-separated, a header row naming the columns in Japanese
or English. Required: 製品名/product_name, 定価/list_price, 割引率/discount_rate,
提供価格/offered_price. Optional: 年数/years or term_months, 種別/item, 製品コード/product_code.
At most ``MAX_ROWS`` data rows; no NUL character; a cell no longer than its column
(``MAX_LENGTHS``); prices up to ``MAX_YEN``.
Without a term column the term comes from the name (``(1年間有効)``, ``(複数年プラン3年間)``);
without an item column ``追加FQDN`` / ``追加ワイルドカード`` in the name say the row prices one
additional name or one wildcard name. Row numbers are the file's line numbers (header = 1).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from core.errors import FieldError, ValidationFailed

BASE, ADDITIONAL_FQDN, WILDCARD = "base", "additional_fqdn", "wildcard"
ITEMS = {
    "base": BASE,
    "本体": BASE,
    "additional_fqdn": ADDITIONAL_FQDN,
    "追加fqdn": ADDITIONAL_FQDN,
    "wildcard": WILDCARD,
    "追加ワイルドカード": WILDCARD,
    "ワイルドカードネーム": WILDCARD,
}
COLUMNS: dict[str, tuple[str, ...]] = {
    "product_name": ("製品名", "product_name", "product"),
    "list_price": ("定価", "list_price"),
    "discount_rate": ("割引率", "discount_rate"),
    "offered_price": ("提供価格", "offered_price"),
    "years": ("年数", "years"),
    "term_months": ("期間(月)", "term_months"),
    "item": ("種別", "item"),
    "product_code": ("製品コード", "product_code"),
}
REQUIRED = ("product_name", "list_price", "discount_rate", "offered_price")
MAX_YEARS = 6
MAX_ROWS = 10_000  # a price table lists products x terms x items: a few hundred rows
MAX_YEN = 2**31 - 1  # an integer column
MAX_LENGTHS = {"product_name": 255, "product_code": 64}
_TERM_IN_NAME = re.compile(
    r"[(\uff08]\s*(?:(\d+)\s*年間有効|複数年プラン\s*(\d+)\s*年間)\s*[)\uff09]"
)  # half- or full-width brackets
_ITEM_IN_NAME = (("追加FQDN", ADDITIONAL_FQDN), ("追加ワイルドカード", WILDCARD))


@dataclass(frozen=True)
class PriceRow:
    """One accepted row: ``product_name`` is the name without term and item words."""

    row_number: int
    product_name: str
    product_code: str
    item: str
    term_months: int
    list_price: int
    discount_rate: str
    offered_price: int


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Shift_JIS; neither, or a NUL inside: refused."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            raise ValidationFailed([FieldError("file", "catalog.price_csv.nul")])
        return text
    raise ValidationFailed([FieldError("file", "catalog.price_csv.encoding")])


def parse_price_table(data: bytes) -> list[PriceRow]:
    """Every row of the file, or ValidationFailed naming each bad row's number and column."""
    try:
        return _parse(decode(data))
    except csv.Error:  # a cell over csv's field size limit, a stray quote
        raise ValidationFailed([FieldError("file", "catalog.price_csv.malformed")]) from None


def _parse(text: str) -> list[PriceRow]:
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text), delimiter="\t" if "\t" in first_line else ",")
    header = next(reader, None)
    if not header:
        raise ValidationFailed([FieldError("file", "catalog.price_csv.empty")])
    names = [cell.strip().lower() for cell in header]
    index: dict[str, tuple[int, str]] = {}
    for key, aliases in COLUMNS.items():
        for position, name in enumerate(names):
            if name in aliases:
                index[key] = (position, header[position].strip())
                break
    missing = [COLUMNS[key][0] for key in REQUIRED if key not in index]
    if missing:
        raise ValidationFailed(
            [
                FieldError("header", "catalog.price_csv.column_missing", {"column": c})
                for c in missing
            ]
        )
    rows: list[PriceRow] = []
    errors: list[FieldError] = []
    seen: dict[tuple[str, str, str, int], int] = {}
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) + len(errors) >= MAX_ROWS:
            raise ValidationFailed(
                [FieldError("file", "catalog.price_csv.too_many_rows", {"limit": MAX_ROWS})]
            )
        row, row_errors = _row(reader.line_num, cells, index)
        errors.extend(row_errors)
        if row is None:
            continue
        key = (row.product_name, row.product_code, row.item, row.term_months)
        if key in seen:
            errors.append(_error(row.row_number, "product_name", index, "duplicate_row"))
            continue
        seen[key] = row.row_number
        rows.append(row)
    if not rows and not errors:
        errors.append(FieldError("file", "catalog.price_csv.empty"))
    if errors:
        raise ValidationFailed(errors)
    return rows


def _row(
    number: int, cells: list[str], index: dict[str, tuple[int, str]]
) -> tuple[PriceRow | None, list[FieldError]]:
    def cell(key: str) -> str:
        if key not in index or index[key][0] >= len(cells):
            return ""
        return cells[index[key][0]].strip()

    errors: list[FieldError] = []
    raw_name = cell("product_name")
    name, item, term = _split_name(raw_name)
    if not name or len(name) > MAX_LENGTHS["product_name"]:
        errors.append(_error(number, "product_name", index))
    if len(cell("product_code")) > MAX_LENGTHS["product_code"]:
        errors.append(_error(number, "product_code", index))
    if cell("item"):
        item = ITEMS.get(cell("item").lower())
        if item is None:
            errors.append(_error(number, "item", index))
    term_months = _term(cell, term)
    if term_months is None:
        key = "term_months" if "term_months" in index else "years"
        errors.append(_error(number, key if key in index else "product_name", index))
    prices = {key: _yen(cell(key)) for key in ("list_price", "offered_price")}
    for key, value in prices.items():
        if value is None:
            errors.append(_error(number, key, index))
    rate = _rate(cell("discount_rate"))
    if rate is None:
        errors.append(_error(number, "discount_rate", index))
    if errors:
        return None, errors
    return PriceRow(
        row_number=number,
        product_name=name,
        product_code=cell("product_code"),
        item=item or BASE,
        term_months=term_months or 0,
        list_price=prices["list_price"] or 0,
        discount_rate=rate or "0",
        offered_price=prices["offered_price"] or 0,
    ), []


def _split_name(raw: str) -> tuple[str, str, int | None]:
    """``… EV 追加FQDN(複数年プラン2年間)`` -> (``… EV``, additional_fqdn, 2)."""
    years: int | None = None
    match = _TERM_IN_NAME.search(raw)
    if match:
        years = int(match.group(1) or match.group(2))
        raw = raw[: match.start()] + raw[match.end() :]
    item = BASE
    for word, kind in _ITEM_IN_NAME:
        if word in raw:
            item = kind
            raw = raw.replace(word, " ")
    return " ".join(raw.split()), item, years


def _term(cell: Callable[[str], str], years_in_name: int | None) -> int | None:
    if cell("term_months"):
        months = _int(cell("term_months"))
        return months if months is not None and 1 <= months <= MAX_YEARS * 12 else None
    years = _int(cell("years")) if cell("years") else years_in_name
    return years * 12 if years is not None and 1 <= years <= MAX_YEARS else None


def _int(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) < 6 else None


def _yen(text: str) -> int | None:
    cleaned = text.replace(",", "").replace("¥", "").replace("￥", "").replace("円", "").strip()
    value = int(cleaned) if cleaned.isascii() and cleaned.isdigit() else None
    return value if value is not None and value <= MAX_YEN else None


def _rate(text: str) -> str | None:
    try:
        value = Decimal(text.rstrip("%").strip())
    except InvalidOperation:
        return None
    if not value.is_finite() or not 0 <= value <= 100 or len(str(value)) > 16:
        return None
    return str(value)


def _error(
    number: int, key: str, index: dict[str, tuple[int, str]], problem: str = "invalid_value"
) -> FieldError:
    column = index[key][1] if key in index else COLUMNS[key][0]
    return FieldError(
        f"rows[{number}].{key}", f"catalog.price_csv.{problem}", {"row": number, "column": column}
    )
