"""What a tenant's host serves of its brand, to anyone (``tenants.branding`` holds the rules):

- ``GET /brand/logo/{version}``: the uploaded logo, with its stored content type. Its address
  carries the first 16 hex digits of its SHA-256, so a matching version is cached for a year
  (``immutable``); an older version (a mail sent before the logo changed) gets today's logo,
  cached for five minutes. ``nosniff`` and a CSP of ``default-src 'none'`` keep the bytes an
  image and nothing else.
- ``GET /brand/colours.css``: the brand's colours as CSS variables (pages may not carry inline
  styles), linked by every customer-facing page (``pages/base.html``).
- ``GET /legal/tokushoho``: the notices 特定商取引法 asks of a web shop (表記), linked from
  every customer-facing footer.
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.params import FromPath

from core.colours import ink_for
from tenants.branding import LEGAL_FIELDS, get_logo
from web.pages import request_brand
from web.storefront.context import visitor_ctx
from web.storefront.page import page

COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
YEAR = 365 * 24 * 3600
IMAGE_HEADERS = {
    "x-content-type-options": "nosniff",
    "content-security-policy": "default-src 'none'; sandbox",
    "content-disposition": "inline",
}


class BrandController(Controller):
    include_in_schema = False

    @get("/brand/logo/{version:str}")
    async def logo(self, request: Request[Any, Any, Any], version: FromPath[str]) -> Response[Any]:
        found = await get_logo(visitor_ctx(request))
        if found is None:
            return Response(b"", status_code=404, media_type="text/plain")
        current = version == found.version
        cache = f"public, max-age={YEAR}, immutable" if current else "public, max-age=300"
        return Response(
            found.data,
            media_type=found.content_type,
            headers={**IMAGE_HEADERS, "cache-control": cache, "etag": f'"{found.version}"'},
        )

    @get("/brand/colours.css")
    async def colours(self, request: Request[Any, Any, Any]) -> Response[str]:
        brand = request_brand(request)
        rules = []
        if brand is not None and COLOUR.fullmatch(brand.primary_colour):
            primary = brand.primary_colour
            rules += [f"--shop-primary: {primary};", f"--accent: {primary};"]
        if brand is not None and COLOUR.fullmatch(brand.accent_colour):
            accent, ink = brand.accent_colour, ink_for(brand.accent_colour)
            rules += [f"--shop-accent: {accent};", f"--shop-accent-ink: {ink};"]
            rules += [f"--accent-ink: {ink};"]
        css = (
            ":root {" + " ".join(rules) + "}\n"
            ".button { background: var(--shop-accent, var(--accent));"
            " color: var(--shop-accent-ink, var(--accent-ink)); }\n"
            ".tenant-brand { display: inline-flex; gap: .6rem; align-items: center;"
            " color: var(--shop-primary, var(--ink)); }\n"
            ".tenant-brand img { max-height: 2.5rem; max-width: 12rem; }\n"
            ".brand-links { display: flex; flex-wrap: wrap; gap: .5rem 1.25rem;"
            " justify-content: center; }\n"
        )
        return Response(
            css, media_type="text/css", headers={"cache-control": "public, max-age=300"}
        )

    @get("/legal/tokushoho")
    async def legal(self, request: Request[Any, Any, Any]) -> Response[Any]:
        brand = request_brand(request)
        notices = brand.legal if brand is not None else {}
        return await page(
            request,
            "pages/storefront/legal.html",
            notices=[(name, notices.get(name, "")) for name in LEGAL_FIELDS],
            complete=brand is not None and brand.legal_complete,
            support_email=brand.support_email if brand is not None else "",
        )
