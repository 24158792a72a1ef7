"""The invoice PDF, in Japanese or English: Jinja2 HTML rendered by WeasyPrint.

Build one ``InvoicePdfRenderer`` per process and keep it: it holds the Jinja2 environment, the
message catalogs, the parsed stylesheet and WeasyPrint's ``FontConfiguration``, so a render
after the first one skips template compilation, CSS parsing and font discovery. Text is set in
Noto Sans CJK JP (Debian's ``fonts-noto-cjk``); WeasyPrint embeds only the glyphs used, so a
one-page invoice stays small.
"""

from __future__ import annotations

import importlib.resources
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from core.billing.models import InvoiceView
from core.billing.terms import term_label
from core.i18n import Translator, format_yen, load_catalogs
from core.money import REDUCED_RATE


def format_day(value: date, language: str) -> str:
    """2026/11/22 in Japanese, 2026-11-22 in English (unambiguous, unlike 11/22/2026)."""
    return value.strftime("%Y/%m/%d" if language == "ja" else "%Y-%m-%d")


def format_moment(value: datetime | None, language: str, time_zone: str) -> str:
    """A timestamp in the tenant's time zone, to the minute."""
    if value is None:
        return ""
    local = value.astimezone(ZoneInfo(time_zone))
    return local.strftime("%Y/%m/%d %H:%M" if language == "ja" else "%Y-%m-%d %H:%M")


class PdfRenderer:
    """A Jinja2 template and its stylesheet rendered by WeasyPrint; build once, reuse.

    Holds the environment (filters ``yen``, ``day``, ``moment``), the package's message
    catalogs, the parsed stylesheet and WeasyPrint's ``FontConfiguration``. Subclasses name
    their template (``templates/<template>`` of ``package``) and what it is rendered with.
    """

    def __init__(self, package: str, template: str, stylesheet: str) -> None:
        self.env = jinja2.Environment(
            loader=jinja2.PackageLoader(package, "templates"),
            autoescape=jinja2.select_autoescape(("html", "j2")),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["yen"] = format_yen
        self.env.filters["day"] = format_day
        self.env.filters["moment"] = format_moment
        self.template = self.env.get_template(template)
        self.catalogs = load_catalogs(package)
        self.fonts = FontConfiguration()
        css = importlib.resources.files(package).joinpath(f"templates/{stylesheet}")
        self.css = CSS(string=css.read_text(encoding="utf-8"), font_config=self.fonts)

    def render_html(self, language: str, **values: Any) -> str:
        """The template with ``language``, ``_`` (the catalogs in that language) and ``values``."""
        values.setdefault("logo", "")  # the tenant's logo, a data: address (load_logo)
        return self.template.render(
            language=language, _=Translator(self.catalogs, language), **values
        )

    def render_pdf(self, html: str) -> bytes:
        document = HTML(string=html)
        return document.write_pdf(stylesheets=[self.css], font_config=self.fonts)


class InvoicePdfRenderer(PdfRenderer):
    """Renders invoices to HTML and PDF; build once, reuse for every invoice."""

    def __init__(self) -> None:
        super().__init__("core.billing", "billing/invoice.html.j2", "billing/invoice.css")

    def html(
        self,
        invoice: InvoiceView,
        language: str | None = None,
        time_zone: str = "Asia/Tokyo",
        logo: str = "",
    ) -> str:
        return self.render_html(
            language or invoice.language,
            invoice=invoice,
            time_zone=time_zone,
            term_label=term_label(invoice.payment_term),
            reduced_rate=REDUCED_RATE,  # its lines carry ※, explained by the legend (適格請求書)
            logo=logo,
        )

    def pdf(
        self,
        invoice: InvoiceView,
        language: str | None = None,
        time_zone: str = "Asia/Tokyo",
        logo: str = "",
    ) -> bytes:
        return self.render_pdf(self.html(invoice, language, time_zone, logo))
