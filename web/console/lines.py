"""Lines and totals of an order or a quote, formatted for a console page."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from core.orders.lines import PricedLine
from web.console.listing import Formatter


def line_rows(lines: Iterable[PricedLine], fmt: Formatter) -> list[dict[str, Any]]:
    return [
        {
            "name": line.name_ja if fmt.language == "ja" else line.name_en,
            "code": line.product_code,
            "quantity": line.quantity,
            "months": line.term_months,
            "years": line.term_months // 12 if line.term_months % 12 == 0 else None,
            "fqdns": line.fqdns,
            "wildcards": line.wildcards,
            "unit_price": fmt.yen(line.unit_price),
            "amount": fmt.yen(line.amount),
        }
        for line in lines
    ]


def totals(view: Any, fmt: Formatter) -> dict[str, Any]:
    """``subtotal``, ``tax_totals``, ``tax``, ``total`` of an OrderView or QuoteView."""
    return {
        "subtotal": fmt.yen(view.subtotal),
        "tax": fmt.yen(view.tax),
        "total": fmt.yen(view.total),
        "tax_totals": [
            {"rate": t["rate"], "taxable": fmt.yen(t["taxable"]), "tax": fmt.yen(t["tax"])}
            for t in view.tax_totals
        ],
    }
