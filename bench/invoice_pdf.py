"""Invoice PDF benchmark: first render, warm median and file size, in Japanese and English.

Run: ``.venv/bin/python bench/invoice_pdf.py [renders]``. Needs no database: the invoice is
built in memory. The figures go into ``bench/README.md``.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import UTC, date, datetime

from core.billing.contact import BillingContact
from core.billing.models import BankAccount, InvoiceLineView, InvoiceView, Issuer
from core.money import Rounding, tax_totals

LINES = (
    ("SSLOV 2Yr", "Basic OV 2年 with 3 FQDNs and 3 Wildcards", 1, 828_600),
    ("GTEV 1Yr", "ジオトラスト トゥルービジネスID EV 1年", 3, 219_000),
    ("GTDV 1Yr", "ジオトラスト クイックSSLプレミアム 1年 with 1 FQDN", 13, 10_329),
    ("SSLEV 1Yr", "セキュア・サーバID EV 1年", 2, 150_000),
)


def sample_invoice() -> InvoiceView:
    lines = tuple(
        InvoiceLineView(n, code, item, "N.A", qty, price, qty * price, 10)
        for n, (code, item, qty, price) in enumerate(LINES, start=1)
    )
    totals = tuple(tax_totals(((line.amount, 10) for line in lines), Rounding.DOWN))
    return InvoiceView(
        id=1,
        tenant_id=1,
        seq=123,
        number="INV-000123",
        status="open",
        contract_type="pay_as_you_go",
        source_type="order",
        source_id="1031",
        reference_kind="voucher_order",
        reference_number="1031",
        issue_date=date(2026, 11, 22),
        payment_term="NET30EOM",
        due_date=date(2026, 12, 31),
        language="ja",
        issuer=Issuer(
            "株式会社しょうめいホスティング",
            "T7000012050002",
            "104-0061",
            "東京都中央区銀座6-10-1 GINZA SIX 8階",
            "03-4560-3971",
        ),
        recipient=BillingContact(
            "JPY株式会社", "104-0061", "東京都", "中央区銀座6-1-10", "鈴木 太郎", "03-1111-5153"
        ),
        bank_account=BankAccount(
            "三井住友銀行", "ツバキ支店", "当座", "0249302", "ショウメイ(カ", "879"
        ),
        rounding="down",
        tax_totals=totals,
        subtotal=sum(t.taxable for t in totals),
        tax_amount=sum(t.tax for t in totals),
        grand_total=sum(t.total for t in totals),
        created_at=datetime(2026, 11, 22, 1, 0, tzinfo=UTC),
        lines=lines,
    )


def main(renders: int = 20) -> None:
    started = time.perf_counter()
    from core.billing.pdf import InvoicePdfRenderer  # importing WeasyPrint is part of a cold start

    renderer = InvoicePdfRenderer()
    invoice = sample_invoice()
    first_pdf = renderer.pdf(invoice, "ja")
    first = time.perf_counter() - started
    print(f"first render (import + renderer + one PDF): {first:.3f} s, {len(first_pdf):,} bytes")
    for language in ("ja", "en"):
        timings = []
        for _ in range(renders):
            began = time.perf_counter()
            pdf = renderer.pdf(invoice, language)
            timings.append(time.perf_counter() - began)
        print(
            f"{language}: warm median {statistics.median(timings):.3f} s "
            f"(min {min(timings):.3f}, max {max(timings):.3f}, n={renders}), "
            f"{len(pdf):,} bytes"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
