"""The new-voucher-order form (新しいバウチャーを追加する) as the browser posts it.

Fields: ``customer_name`` (顧客), ``notes`` (注意), ``payment_method``, ``form_key`` (the
one-time key a double click cannot use twice) and per line ``lines-<n>-quantity``,
``-product``, ``-years``, ``-fqdns``, ``-wildcards``. The service reports a line's problem as
``lines[<n>].<name>``; ``form_field`` maps it onto the input's id so the message sits under it.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

from core.errors import FieldError
from plugins.digicert.vouchers import VoucherLineIn, VoucherOrderIn

LINE_FIELDS = ("quantity", "product", "years", "fqdns", "wildcards")
MAX_LINES = 20
_SERVICE_FIELD = re.compile(r"^lines\[(\d+)\]\.(\w+)$")
_FORM_FIELD = re.compile(r"^lines-(\d+)-(\w+)$")


@dataclass
class VoucherForm:
    """What the form shows: the raw text of every input, so a refusal keeps what was typed."""

    customer_name: str = ""
    notes: str = ""
    payment_method: str = "bank_transfer"
    form_key: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    lines: list[dict[str, str]] = field(default_factory=lambda: [blank_line()])

    def request(self) -> VoucherOrderIn:
        return VoucherOrderIn(
            payment_method=self.payment_method,
            lines=tuple(
                VoucherLineIn(
                    product=line["product"],
                    quantity=_number(line["quantity"]),
                    years=_number(line["years"]),
                    fqdns=_number(line["fqdns"]),
                    wildcards=_number(line["wildcards"]),
                )
                for line in self.lines
            ),
            customer_name=self.customer_name,
            notes=self.notes,
        )


def blank_line(product: str = "") -> dict[str, str]:
    return {"quantity": "1", "product": product, "years": "1", "fqdns": "1", "wildcards": "0"}


def _number(text: str) -> int:
    """The typed number; anything else is -1, which every range refuses (naming the field)."""
    text = text.strip()
    return int(text) if text.isdigit() and len(text) <= 6 else -1


def parse_form(data: Mapping[str, str]) -> VoucherForm:
    found: dict[int, dict[str, str]] = {}
    for name, value in data.items():
        matched = _FORM_FIELD.match(name)
        if matched and matched.group(2) in LINE_FIELDS and int(matched.group(1)) < MAX_LINES:
            found.setdefault(int(matched.group(1)), blank_line())[matched.group(2)] = value
    return VoucherForm(
        customer_name=data.get("customer_name", "")[:255],
        notes=data.get("notes", "")[:2000],
        payment_method=data.get("payment_method", ""),
        form_key=data.get("form_key", "") or secrets.token_urlsafe(24),
        lines=[found[n] for n in sorted(found)],
    )


def form_field(service_field: str) -> str:
    """``lines[0].quantity`` → ``lines-0-quantity``; other names stay as they are."""
    matched = _SERVICE_FIELD.match(service_field)
    return f"lines-{matched.group(1)}-{matched.group(2)}" if matched else service_field


def form_errors(errors: list[FieldError]) -> dict[str, FieldError]:
    """The first error of each input, keyed by the input's id."""
    found: dict[str, FieldError] = {}
    for error in errors:
        name = form_field(error.field)
        found.setdefault(name, FieldError(name, error.message_id, error.params))
    return found
