"""What a quote document shows (preview, PDF, e-mail attachment): never the memo.

The memo (説明) is the tenant's own note and "is not written on the quote" (seed 000), so the
printable view model simply has no such field; templates can only print what is here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.context import Context
from core.contracts.common import Yen
from core.orders.quotes import get_quote


@dataclass(frozen=True)
class PrintableLine:
    name: str
    quantity: int
    term_months: int
    fqdns: int
    wildcards: int
    unit_price: Yen
    amount: Yen


@dataclass(frozen=True)
class PrintableQuote:
    number: int
    kind: str
    title: str
    customer_id: int | None
    saved_on: date
    valid_until: date
    lines: tuple[PrintableLine, ...]
    subtotal: Yen
    tax: Yen
    total: Yen
    tax_totals: tuple[dict[str, int], ...]


async def printable_quote(ctx: Context, quote_id: int, language: str = "") -> PrintableQuote:
    quote = await get_quote(ctx, quote_id)
    language = language or ctx.tenant.language
    return PrintableQuote(
        number=quote.id,
        kind=quote.kind,
        title=quote.title,
        customer_id=quote.customer_id,
        saved_on=quote.saved_on,
        valid_until=quote.valid_until,
        lines=tuple(
            PrintableLine(
                name=line.name_ja if language == "ja" else line.name_en,
                quantity=line.quantity,
                term_months=line.term_months,
                fqdns=line.fqdns,
                wildcards=line.wildcards,
                unit_price=line.unit_price,
                amount=line.amount,
            )
            for line in quote.lines
        ),
        subtotal=quote.subtotal,
        tax=quote.tax,
        total=quote.total,
        tax_totals=quote.tax_totals,
    )
