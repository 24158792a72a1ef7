"""Rendering the plugin's console pages, and voucher PDFs for a browser download.

The plugin's page templates live in ``plugins/digicert/templates/digicert/console/``. They
extend the web layouts (``pages/console/layout.html``, ``pages/operator/layout.html``), so
they are loaded by an overlay of the app's page environment (same filters and globals) whose
loader also reads this package; ``web.pages.render`` then renders them like any other page.
"""

from __future__ import annotations

import weakref
from typing import Any

import jinja2
from litestar import Request, Response

from core.context import Context
from plugins.digicert.views import CodeView
from plugins.digicert.voucher_pdfs import (
    IMMEDIATE_MAX,
    product_names,
    queue_voucher_pdf,
    render_now,
)
from tenants.roles import Permission
from web.console.job_links import job_redirect
from web.pages import SECURITY_HEADERS

__all__ = ["product_names", "template", "voucher_pdf"]

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


async def voucher_pdf(
    ctx: Context, codes: list[CodeView], language: str, filename: str
) -> Response[Any]:
    """The vouchers of ``codes`` as one PDF (one page per code), in ``language``: at once for
    up to ``IMMEDIATE_MAX`` codes, else as a background job whose progress page the browser
    is sent to (the download is offered there when it is done)."""
    if len(codes) > IMMEDIATE_MAX:
        order_id = codes[0].voucher_order_id
        page = {"section": "vouchers", "back_url": f"/console/vouchers/{order_id}"}
        job = await queue_voucher_pdf(ctx, codes, language, filename, Permission.ORDERS_VIEW, page)
        return job_redirect(job)
    body = await render_now(ctx, codes, language)
    return Response(
        body,
        media_type="application/pdf",
        headers={**SECURITY_HEADERS, "content-disposition": f'attachment; filename="{filename}"'},
    )
