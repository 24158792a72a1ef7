"""The voucher PDF (バウチャー), in Japanese or English, one page per code.

A big order is laid out in chunks (``document`` per ``CHUNK`` codes, then ``merge``), so a
background job can report progress between chunks (``plugins/digicert/voucher_pdfs.py``).
pypdf is not a dependency: the chunks' laid-out pages are joined by WeasyPrint itself
(``Document.copy``) and written once.

It reuses core.billing's PDF setup rather than copying it: the ``InvoicePdfRenderer``'s
WeasyPrint font configuration and stylesheet (Noto Sans CJK JP, boxed tables) and its date
filter; only the template and the message catalog are the plugin's own.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import cache
from typing import Any

import jinja2
from weasyprint import CSS, HTML, Document

from core.billing.models import Issuer
from core.billing.pdf import InvoicePdfRenderer, format_day
from core.i18n import Translator, load_catalogs
from plugins.digicert.views import CodeView

EXTRA_CSS = """
.voucher h1 { font-size: 16pt; letter-spacing: 0.1em; }
.voucher .code { font-size: 14pt; font-weight: bold; letter-spacing: 0.05em; }
.voucher .link { font-size: 8pt; word-break: break-all; }
.voucher .void-mark { font-size: 18pt; font-weight: bold; color: #a32020;
  border: 2pt solid #a32020; padding: 2mm 4mm; text-align: center; }
.voucher.cancelled .code, .voucher.cancelled .link { text-decoration: line-through; }
.voucher footer { margin-top: 8mm; border-top: 0.6pt solid #444; padding-top: 2mm; }
"""


class VoucherPdfRenderer:
    """Build once per process, like the invoice renderer whose fonts and styles it shares."""

    def __init__(self, base: InvoicePdfRenderer | None = None) -> None:
        self.base = base or InvoicePdfRenderer()
        self.env = jinja2.Environment(
            loader=jinja2.PackageLoader("plugins.digicert", "templates"),
            autoescape=jinja2.select_autoescape(("html", "j2")),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(self.base.env.filters)
        self.env.filters["day"] = format_day
        self.template = self.env.get_template("digicert/voucher.html.j2")
        self.catalogs = load_catalogs("plugins.digicert")
        self.extra = CSS(string=EXTRA_CSS, font_config=self.base.fonts)

    def html(
        self,
        codes: list[CodeView],
        issuer: Issuer,
        language: str,
        product_names: dict[str, str] | None = None,
        logo: str = "",
    ) -> str:
        return self.template.render(
            codes=codes,
            issuer=issuer,
            language=language,
            product_names=product_names or {},
            logo=logo,
            _=Translator(self.catalogs, language),
        )

    def document(
        self,
        codes: list[CodeView],
        issuer: Issuer,
        language: str,
        product_names: dict[str, str] | None = None,
        logo: str = "",
    ) -> Document:
        """The laid-out pages of ``codes`` (one a code), not yet written."""
        html = HTML(string=self.html(codes, issuer, language, product_names, logo))
        return html.render(stylesheets=[self.base.css, self.extra], font_config=self.base.fonts)

    @staticmethod
    def merge(documents: Sequence[Document]) -> bytes:
        """One PDF of the pages of ``documents``, in order."""
        pages = [page for document in documents for page in document.pages]
        return documents[0].copy(pages).write_pdf()

    def pdf(
        self,
        codes: list[CodeView],
        issuer: Issuer,
        language: str,
        product_names: dict[str, str] | None = None,
        logo: str = "",
    ) -> bytes:
        return self.document(codes, issuer, language, product_names, logo).write_pdf()


class SharedRenderer:
    """One voucher renderer per process (fonts and styles are built once), one layout at a
    time (WeasyPrint's font configuration is shared between threads)."""

    def __init__(self) -> None:
        self.renderer = VoucherPdfRenderer()
        self.lock = threading.Lock()

    def pdf(
        self,
        codes: list[CodeView],
        issuer: Any,
        language: str,
        names: dict[str, str],
        logo: str = "",
    ) -> bytes:
        with self.lock:
            return self.renderer.pdf(codes, issuer, language, names, logo)

    def document(
        self,
        codes: list[CodeView],
        issuer: Any,
        language: str,
        names: dict[str, str],
        logo: str = "",
    ) -> Document:
        with self.lock:
            return self.renderer.document(codes, issuer, language, names, logo)

    def merge(self, documents: Sequence[Document]) -> bytes:
        with self.lock:
            return self.renderer.merge(documents)


@cache
def shared_renderer() -> SharedRenderer:
    return SharedRenderer()
