"""The console's branding page (``/console/branding``, ``tenant.settings``): what the tenant's
customers see on its shop, portal, checkout, PDFs and mails (``tenants.branding``).

Three forms, each saved on its own so that a refused file never loses typed text:

- **Brand**: the name shown to customers, the primary and accent colours (``#RRGGBB``; the
  primary must read on white), the support address and the footer text.
- **Logo**: a PNG or JPEG file (its type read from its bytes), or removing the logo.
- **特定商取引法に基づく表記**: seller, person responsible, address, phone, prices, other
  charges, payment methods and timing, delivery, returns; the first four start from the
  company profile until saved.

A refused form comes back (400) with the input kept and each error under its field, named in
the summary by the field's label.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile

from core.errors import FieldError, ValidationFailed
from tenants.branding import (
    BRAND_FIELDS,
    LEGAL_FIELDS,
    MAX_LOGO_BYTES,
    MAX_LOGO_SIDE,
    MIN_LOGO_SIDE,
    get_brand,
    remove_logo,
    store_logo,
    update_brand,
    update_legal,
)
from tenants.roles import Permission
from tenants.tenant_settings import get_settings
from web.console.access import SignedInStaff, staff
from web.console.pages import page
from web.controllers.auth import by_field, redirect

PATH = "/console/branding"
LONG_FIELDS = ("prices", "extra_fees", "payment_methods", "payment_timing", "delivery", "returns")


async def _legal_defaults(me: SignedInStaff) -> dict[str, str]:
    """The notices saved, or a start taken from the company profile."""
    brand = await get_brand(me.ctx)
    if brand.legal:
        return {name: brand.legal.get(name, "") for name in LEGAL_FIELDS}
    company = (await get_settings(me.ctx)).company
    address = " ".join(
        part
        for part in (
            f"〒{company.postal_code}" if company.postal_code else "",
            company.prefecture,
            company.address,
        )
        if part
    )
    return {
        **{name: "" for name in LEGAL_FIELDS},
        "seller": company.organization_name,
        "address": address,
        "phone": company.phone,
    }


async def _page(
    request: Request[Any, Any, Any],
    me: SignedInStaff,
    *,
    errors: dict[str, FieldError] | None = None,
    form: dict[str, str] | None = None,
    legal: dict[str, str] | None = None,
) -> Response[Any]:
    brand = await get_brand(me.ctx)
    shown = form or {
        "name": brand.name,
        "primary_colour": brand.primary_colour,
        "accent_colour": brand.accent_colour,
        "support_email": brand.support_email,
        "footer_text": brand.footer_text,
    }
    return page(
        request, me, "pages/console/settings/branding.html",
        status=400 if errors else 200, section="branding",
        brand=brand, form=shown, legal=legal or await _legal_defaults(me),
        errors=errors or {}, long_fields=LONG_FIELDS, legal_fields=LEGAL_FIELDS,
        max_kib=MAX_LOGO_BYTES // 1024, min_side=MIN_LOGO_SIDE, max_side=MAX_LOGO_SIDE,
    )  # fmt: skip


def _texts(data: Any, names: tuple[str, ...]) -> dict[str, str]:
    return {name: str(data.get(name, "") or "") for name in names}


class ConsoleBranding(Controller):
    path = PATH
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await staff(request, Permission.TENANT_SETTINGS)
        if not isinstance(me, SignedInStaff):
            return me
        return await _page(request, me)

    @post("/")
    async def save_brand(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await staff(request, Permission.TENANT_SETTINGS)
        if not isinstance(me, SignedInStaff):
            return me
        form = _texts(await request.form(), BRAND_FIELDS)
        try:
            await update_brand(me.ctx, form)
        except ValidationFailed as exc:
            return await _page(request, me, errors=by_field(exc.errors), form=form)
        return redirect(f"{PATH}?notice=saved")

    @post("/logo")
    async def upload_logo(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await staff(request, Permission.TENANT_SETTINGS)
        if not isinstance(me, SignedInStaff):
            return me
        upload = (await request.form()).get("logo")
        data = await upload.read() if isinstance(upload, UploadFile) else b""
        try:
            await store_logo(me.ctx, data)
        except ValidationFailed as exc:
            return await _page(request, me, errors=by_field(exc.errors))
        return redirect(f"{PATH}?notice=logo_saved")

    @post("/logo/remove")
    async def drop_logo(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await staff(request, Permission.TENANT_SETTINGS)
        if not isinstance(me, SignedInStaff):
            return me
        await remove_logo(me.ctx)
        return redirect(f"{PATH}?notice=logo_removed")

    @post("/legal")
    async def save_legal(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await staff(request, Permission.TENANT_SETTINGS)
        if not isinstance(me, SignedInStaff):
            return me
        legal = _texts(await request.form(), LEGAL_FIELDS)
        try:
            await update_legal(me.ctx, legal)
        except ValidationFailed as exc:
            return await _page(request, me, errors=by_field(exc.errors), legal=legal)
        return redirect(f"{PATH}?notice=saved")
