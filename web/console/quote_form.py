"""The console's new-quote form (見積りを作成する) as the browser posts it.

Fields: ``customer_id`` (one of the tenant's customers, or none), ``title`` (件名), ``memo``
(never printed) and per line ``lines-<n>-product`` (a product id; an empty choice leaves the
row out), ``-term`` (months), ``-quantity``, ``-fqdns`` (additional names) and ``-wildcards``.
``action=add_line`` shows one more row without saving (no JavaScript needed). The service
reports a line's problem as ``lines[<i>].<name>`` for the i-th *kept* row; ``form_errors``
puts it under that row's input.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from core.errors import FieldError
from core.orders.lines import LineInput
from core.orders.quotes import QuoteRequest
from web.console.forms import as_id

LINE_FIELDS = ("product", "term", "quantity", "fqdns", "wildcards")
BLANK_ROWS, MAX_ROWS = 3, 20
_FORM_FIELD = re.compile(r"^lines-(\d+)-(\w+)$")
_SERVICE_FIELD = re.compile(r"^lines\[(\d+)\]\.(\w+)$")
_SERVICE_TO_FORM = {
    "product_id": "product",
    "term_months": "term",
    "quantity": "quantity",
    "fqdns": "fqdns",
    "wildcards": "wildcards",
}


def blank_line() -> dict[str, str]:
    return {"product": "", "term": "12", "quantity": "1", "fqdns": "0", "wildcards": "0"}


@dataclass
class QuoteForm:
    """The raw text of every input, so a refusal keeps what was typed."""

    customer_id: str = ""
    title: str = ""
    memo: str = ""
    lines: list[dict[str, str]] = field(
        default_factory=lambda: [blank_line() for _ in range(BLANK_ROWS)]
    )

    def kept(self) -> list[int]:
        """The rows with a product chosen, in order (the others are left out)."""
        return [n for n, line in enumerate(self.lines) if line["product"].strip()]

    def request(self) -> QuoteRequest:
        return QuoteRequest(
            lines=tuple(
                LineInput(
                    product_id=_number(self.lines[n]["product"]),
                    quantity=_number(self.lines[n]["quantity"]),
                    term_months=_number(self.lines[n]["term"]),
                    fqdns=_number(self.lines[n]["fqdns"]),
                    wildcards=_number(self.lines[n]["wildcards"]),
                )
                for n in self.kept()
            ),
            customer_id=as_id(self.customer_id.strip()),
            title=self.title.strip(),
            memo=self.memo.strip(),
        )

    def form_errors(self, errors: list[FieldError]) -> dict[str, FieldError]:
        """Service errors keyed by the form's input ids (``lines[1].term_months`` of the second
        kept row → ``lines-<its row>-term``)."""
        kept = self.kept()
        found: dict[str, FieldError] = {}
        for error in errors:
            matched = _SERVICE_FIELD.match(error.field)
            name = error.field
            if matched and int(matched.group(1)) < len(kept):
                row = kept[int(matched.group(1))]
                name = f"lines-{row}-{_SERVICE_TO_FORM.get(matched.group(2), 'product')}"
            elif name in ("lines", "quote", "credit_amount"):
                name = "lines-0-product"
            found.setdefault(name, error)
        return found


def _number(text: str) -> int:
    """The typed number (full-width digits too); anything else is -1, refused by every range."""
    text = unicodedata.normalize("NFKC", text).strip()
    return int(text) if text.isdigit() and len(text) <= 6 else -1


def parse_form(data: Mapping[str, str]) -> QuoteForm:
    found: dict[int, dict[str, str]] = {}
    for name, value in data.items():
        matched = _FORM_FIELD.match(name)
        if matched and matched.group(2) in LINE_FIELDS and int(matched.group(1)) < MAX_ROWS:
            found.setdefault(int(matched.group(1)), blank_line())[matched.group(2)] = str(value)
    lines = [found[n] for n in sorted(found)] or [blank_line() for _ in range(BLANK_ROWS)]
    if data.get("action") == "add_line" and len(lines) < MAX_ROWS:
        lines.append(blank_line())
    return QuoteForm(
        customer_id=str(data.get("customer_id", "")),
        title=str(data.get("title", ""))[:255],
        memo=str(data.get("memo", ""))[:4000],
        lines=lines,
    )
