import shutil
import subprocess
from pathlib import Path

import pytest

from core.billing import invoices
from core.billing.models import LineDraft
from core.billing.pdf import InvoicePdfRenderer
from tests.core.billing.factories import LINES, context, draft


@pytest.fixture(scope="module")
def renderer():
    return InvoicePdfRenderer()


def pdf_text(pdf: bytes, folder: Path, name: str) -> str:
    """The PDF's text as pdftotext extracts it, with every kind of space removed."""
    assert shutil.which("pdftotext"), "pdftotext (poppler-utils) is needed: bash scripts/test"
    path = folder / name
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True)
    return "".join(out.stdout.split())


def squeeze(text: str) -> str:
    return "".join(text.split())


async def test_japanese_pdf_prints_the_qualified_invoice_fields(database, renderer, output_dir):
    lines = (*LINES, LineDraft("SSLDV 1Yr", "ジオトラスト クイックSSLプレミアム 1年", 3, 105))
    invoice = await invoices.create_invoice(context(), draft(lines=lines))
    pdf = renderer.pdf(invoice, "ja")
    assert pdf.startswith(b"%PDF-")
    assert len(pdf) < 1_000_000  # fonts are subset, not embedded whole (the font file is 19 MB)
    text = pdf_text(pdf, output_dir, "invoice-ja.pdf")
    for expected in (
        "請求書",
        "T7000012050002",  # registration number
        "INV-000001",
        "JPY株式会社御中",
        "ジオトラストクイックSSLプレミアム1年",
        "Basic OV 2年 with 3 FQDNs and 3 Wildcards",
        "10%対象1,485,915円消費税148,591円",  # the one rate's taxable total and its tax
        "1,634,506円",  # grand total
        "Net 30 EOM",
        "2026/12/31",  # due date of NET30EOM from 2026-11-22
        "三井住友銀行",
        "0249302",
        "振込手数料はお客様のご負担をお願い致します。",
        "お振り込み控をもって、領収書と替えさせていただきます。",
        "鈴木太郎",
        "03-1111-5153",
    ):
        assert squeeze(expected) in text, expected
    assert "VOID" not in text


async def test_void_pdf_prints_void_with_who_when_and_why(database, renderer, output_dir):
    ctx = context()
    invoice = await invoices.create_invoice(ctx, draft())
    voided = await invoices.void_invoice(ctx, invoice.id, "Cancel requested on 2026-11-22")
    ja = pdf_text(renderer.pdf(voided, "ja"), output_dir, "void-ja.pdf")
    assert "VOID" in ja and invoice.number in ja
    assert squeeze("2026/11/22 10:00 に 経理 花子 により無効") in ja
    assert squeeze("Cancel requested on 2026-11-22") in ja
    en = pdf_text(renderer.pdf(voided, "en"), output_dir, "void-en.pdf")
    assert squeeze("This invoice was voided on 2026-11-22 10:00 by 経理 花子") in en
    assert squeeze("Bank transfer fees are to be borne by the payer.") in en
    assert squeeze("Your bank transfer receipt serves as our receipt.") in en
    assert squeeze("10% taxable ¥1,485,600, tax ¥148,560") in en
    assert "¥1,634,160" in en and "T7000012050002" in en


async def test_reduced_rate_lines_carry_the_mark_and_its_legend(database, renderer, output_dir):
    """適格請求書: a reduced-rate (8 %) line is marked ※ and the legend says what ※ means."""
    food = LineDraft("GIFT", "お茶セット", 2, 1_000, tax_rate=8)
    invoice = await invoices.create_invoice(context(), draft(lines=(*LINES, food)))
    ja = pdf_text(renderer.pdf(invoice, "ja"), output_dir, "reduced-ja.pdf")
    assert squeeze("お茶セット ※") in ja
    assert squeeze("8%対象 2,000円 消費税 160円 ※") in ja
    assert squeeze("※は軽減税率対象") in ja
    assert ja.count("※") == 3  # the line, its rate's total, the legend; no 10 % line
    en = pdf_text(renderer.pdf(invoice, "en"), output_dir, "reduced-en.pdf")
    assert squeeze("※ Reduced tax rate (8%) item") in en
    plain = await invoices.create_invoice(context(), draft("order-2"))
    assert "※" not in pdf_text(renderer.pdf(plain, "ja"), output_dir, "plain-ja.pdf")
