"""The voucher PDF (バウチャー), in Japanese or English, one page per code.

It reuses core.billing's PDF setup rather than copying it: the ``InvoicePdfRenderer``'s
WeasyPrint font configuration and stylesheet (Noto Sans CJK JP, boxed tables) and its date
filter; only the template and the message catalog are the plugin's own.
"""

from __future__ import annotations

import jinja2
from weasyprint import CSS, HTML

from core.billing.models import Issuer
from core.billing.pdf import InvoicePdfRenderer, format_day
from core.i18n import Translator, load_catalogs
from plugins.digicert.views import CodeView

EXTRA_CSS = """
.voucher h1 { font-size: 16pt; letter-spacing: 0.1em; }
.voucher .code { font-size: 14pt; font-weight: bold; letter-spacing: 0.05em; }
.voucher .link { font-size: 8pt; word-break: break-all; }
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
    ) -> str:
        return self.template.render(
            codes=codes,
            issuer=issuer,
            language=language,
            product_names=product_names or {},
            _=Translator(self.catalogs, language),
        )

    def pdf(
        self,
        codes: list[CodeView],
        issuer: Issuer,
        language: str,
        product_names: dict[str, str] | None = None,
    ) -> bytes:
        document = HTML(string=self.html(codes, issuer, language, product_names))
        return document.write_pdf(
            stylesheets=[self.base.css, self.extra], font_config=self.base.fonts
        )
