"""The quote PDF (見積書): what it prints in Japanese and English, and what it never prints."""

import dataclasses
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from core.clock import FrozenClock
from core.context import Context, tenant_scope
from core.errors import NotFound
from core.orders.lines import LineInput
from core.orders.quote_pdf import QuoteDocument, QuotePdfRenderer, quote_document
from core.orders.quotes import QuoteRequest, create_quote
from tenants.customers import create_customer
from tests.core.catalog.helpers import START, make_ctx
from tests.core.orders.helpers import make_deps, priced_product
from tests.tenants.helpers import active_tenant, staff_context

MEMO = "社内メモ: 値引き交渉の余地あり"


@pytest.fixture(scope="module")
def renderer():
    return QuotePdfRenderer()


def pdf_text(pdf: bytes, folder: Path, name: str) -> str:
    """The PDF's text as pdftotext extracts it, with every kind of space removed."""
    assert shutil.which("pdftotext"), "pdftotext (poppler-utils) is needed: bash scripts/test"
    path = folder / name
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True)
    return "".join(out.stdout.split())


def squeeze(text: str) -> str:
    return "".join(text.split())


async def shop(clock: FrozenClock) -> tuple[Context, int]:
    """A real tenant (company profile: テストホスティング株式会社) and one of its customers."""
    result, _ = await active_tenant(clock)
    ctx = staff_context(result.tenant, result.owner_id, clock)
    with tenant_scope(result.tenant):
        customer_id = await create_customer(
            ctx, "山田商事株式会社", "104-0061", "東京都", "中央区銀座6-10-1", "03-1111-2222"
        )
    return ctx, customer_id


async def product_quote(ctx: Context, customer_id: int | None) -> int:
    product_id = await priced_product(ctx, 10_000, per_additional_fqdn=1_000, per_wildcard=5_000)
    lines = (
        LineInput(product_id, quantity=3, term_months=24, fqdns=2, wildcards=1),
        LineInput(product_id, quantity=1, term_months=12),
    )
    request = QuoteRequest(
        lines=lines, customer_id=customer_id, title="202612_山田商事様向け見積り", memo=MEMO
    )
    quote = await create_quote(ctx, request, make_deps())
    return quote.id


async def test_japanese_pdf_prints_the_quote_but_never_the_memo(database, renderer, output_dir):
    ctx, customer_id = await shop(FrozenClock(START))
    with tenant_scope(ctx.tenant):
        quote_id = await product_quote(ctx, customer_id)
        document = await quote_document(ctx, quote_id, "ja")
    pdf = renderer.pdf(document)
    assert pdf.startswith(b"%PDF-") and len(pdf) < 1_000_000
    text = pdf_text(pdf, output_dir, "quote-ja.pdf")
    # 3 x (10,000 + 2 x 1,000 + 5,000) = 51,000; 1 x 10,000 = 10,000; tax 10% = 6,100
    for expected in (
        "見積書",
        "山田商事株式会社 御中",
        "〒104-0061 東京都中央区銀座6-10-1",
        "テストホスティング株式会社",  # the issuer (the tenant's company profile)
        "〒100-0005 東京都千代田区丸の内1-1-1",
        "T7000012050002",
        f"Q-{quote_id:06d}",
        "見積日",
        "2026/12/07",
        "有効期限",
        "2027/01/06",
        "202612_山田商事様向け見積り",
        "ssl-ov 証明書",
        "2年",
        "1年",
        "17,000円",  # unit price: base + 2 FQDNs + 1 wildcard
        "51,000円",
        "小計(税抜)61,000円",
        "10%対象 61,000円 消費税 6,100円",
        "合計(税込)67,100円",
    ):
        assert squeeze(expected) in text, expected
    assert squeeze(MEMO) not in text and "社内メモ" not in text
    assert "期限切れ" not in text


async def test_english_pdf(database, renderer, output_dir):
    ctx, customer_id = await shop(FrozenClock(START))
    with tenant_scope(ctx.tenant):
        quote_id = await product_quote(ctx, customer_id)
        document = await quote_document(ctx, quote_id, "en")
    text = pdf_text(renderer.pdf(document), output_dir, "quote-en.pdf")
    for expected in (
        "Quotation",
        "山田商事株式会社",
        f"Q-{quote_id:06d}",
        "Valid until",
        "2026-12-07",
        "2027-01-06",
        "ssl-ov certificate",
        "2 yr",
        "¥17,000",
        "¥51,000",
        "10% taxable ¥61,000, tax ¥6,100",
        "¥67,100",
    ):
        assert squeeze(expected) in text, expected
    assert "社内メモ" not in text and "EXPIRED" not in text
    assert "御中" not in text


async def test_account_credit_quote_prints_its_total_only(database, renderer, output_dir):
    ctx, customer_id = await shop(FrozenClock(START))
    with tenant_scope(ctx.tenant):
        request = QuoteRequest(credit_amount=438_000, customer_id=customer_id, memo=MEMO)
        quote = await create_quote(ctx, request, make_deps())
        document = await quote_document(ctx, quote.id, "ja")
    text = pdf_text(renderer.pdf(document), output_dir, "quote-credit.pdf")
    assert "アカウントクレジット" in text and "438,000円" in text
    assert squeeze("合計(税込)481,800円") in text
    assert "ワイルドカード数" not in text and "社内メモ" not in text


async def test_an_expired_quote_still_prints_marked_expired(database, renderer, output_dir):
    clock = FrozenClock(START)
    ctx, customer_id = await shop(clock)
    with tenant_scope(ctx.tenant):
        quote_id = await product_quote(ctx, customer_id)
        clock.advance(timedelta(days=30))  # 6 January: the last valid day
        assert not (await quote_document(ctx, quote_id, "ja")).expired
        clock.advance(timedelta(days=1))
        ja = await quote_document(ctx, quote_id, "ja")
        en = await quote_document(ctx, quote_id, "en")
    assert ja.expired
    text = pdf_text(renderer.pdf(ja), output_dir, "quote-expired-ja.pdf")
    assert "期限切れ" in text and "2027/01/06" in text and f"Q-{quote_id:06d}" in text
    assert "EXPIRED" in pdf_text(renderer.pdf(en), output_dir, "quote-expired-en.pdf")


async def test_another_tenants_quote_is_not_found(database):
    ctx, customer_id = await shop(FrozenClock(START))
    other, _ = await shop(FrozenClock(START))
    with tenant_scope(ctx.tenant):
        quote_id = await product_quote(ctx, customer_id)
    with tenant_scope(other.tenant), pytest.raises(NotFound):
        await quote_document(other, quote_id, "ja")


async def test_another_tenants_customer_is_never_printed(database):
    ctx, _ = await shop(FrozenClock(START))
    _, foreign_customer = await shop(FrozenClock(START))
    with tenant_scope(ctx.tenant):
        quote_id = await product_quote(ctx, foreign_customer)
        document = await quote_document(ctx, quote_id, "ja")
    assert document.recipient is None


async def test_without_tenant_settings_the_issuer_is_the_slug(database, renderer, output_dir):
    ctx = make_ctx()  # a tenant id without a tenant row
    with tenant_scope(ctx.tenant):
        quote_id = await product_quote(ctx, None)
        document = await quote_document(ctx, quote_id, "ja")
    assert document.issuer.name == ctx.tenant.slug and document.recipient is None
    assert ctx.tenant.slug in pdf_text(renderer.pdf(document), output_dir, "quote-slug.pdf")


async def test_the_document_survives_json(database):
    ctx, customer_id = await shop(FrozenClock(START))
    with tenant_scope(ctx.tenant):
        document = await quote_document(ctx, await product_quote(ctx, customer_id), "ja")
    assert QuoteDocument.from_json(document.to_json()) == document
    assert "memo" not in str(document.to_json())
    assert not any(f.name == "memo" for f in dataclasses.fields(document.quote))
