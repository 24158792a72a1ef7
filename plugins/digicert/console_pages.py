"""Rendering the plugin's console pages, and voucher PDFs for a browser download.

The plugin's page templates live in ``plugins/digicert/templates/digicert/console/``. They
extend the web layouts (``pages/console/layout.html``, ``pages/operator/layout.html``), so
they are loaded by an overlay of the app's page environment (same filters and globals) whose
loader also reads this package; ``web.pages.render`` then renders them like any other page.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from functools import cache
from typing import Any

import jinja2
from litestar import Request, Response

from core.catalog.products import list_products
from core.context import Context
from plugins.digicert.contracts import get_contract
from plugins.digicert.pdf import VoucherPdfRenderer
from plugins.digicert.views import CodeView
from web.pages import SECURITY_HEADERS

_overlays: weakref.WeakKeyDictionary[jinja2.Environment, jinja2.Environment] = (
    weakref.WeakKeyDictionary()
)


def template(request: Request[Any, Any, Any], name: str) -> Any:
    """The plugin template ``name`` from an overlay of the app's page environment."""
    pages: jinja2.Environment = request.app.state.web.pages
    env = _overlays.get(pages)
    if env is None:
        loader = jinja2.ChoiceLoader(
            [pages.loader, jinja2.PackageLoader("plugins.digicert", "templates")]  # type: ignore[list-item]
        )
        env = _overlays[pages] = pages.overlay(loader=loader)
    return env.get_template(name)  # web.pages.render accepts a Template as its name


class _Renderer:
    """One voucher PDF renderer per process (fonts and styles are built once), one PDF at a
    time (WeasyPrint's font configuration is shared)."""

    def __init__(self) -> None:
        self.renderer = VoucherPdfRenderer()
        self.lock = threading.Lock()

    def pdf(
        self, codes: list[CodeView], issuer: Any, language: str, names: dict[str, str]
    ) -> bytes:
        with self.lock:
            return self.renderer.pdf(codes, issuer, language, names)


@cache
def _renderer() -> _Renderer:
    return _Renderer()


def _pdf(codes: list[CodeView], issuer: Any, language: str, names: dict[str, str]) -> bytes:
    return _renderer().pdf(codes, issuer, language, names)


async def product_names(ctx: Context, language: str) -> dict[str, str]:
    """Product code → name in ``language``, for the contract's products."""
    contract = await get_contract(ctx)
    return {
        p.code: p.name(language) for p in await list_products(ctx, contract.provider_account_id)
    }


async def voucher_pdf(
    ctx: Context, codes: list[CodeView], language: str, filename: str
) -> Response[bytes]:
    """The vouchers of ``codes`` as one PDF (one page per code), in ``language``."""
    contract = await get_contract(ctx)
    names = await product_names(ctx, language)
    body = await asyncio.to_thread(_pdf, codes, contract.issuer, language, names)
    return Response(
        body,
        media_type="application/pdf",
        headers={**SECURITY_HEADERS, "content-disposition": f'attachment; filename="{filename}"'},
    )
