"""A tenant's brand as its customers see it: the name, colours and footer (columns of
``tenant``, ``tenants.tenant_settings``), the support address, the logo, and the notices that
特定商取引法 (Act on Specified Commercial Transactions, article 11: 通信販売の広告の表示事項)
asks a web shop to show: seller, the person responsible, address, phone, prices, other
charges, payment methods and timing, delivery, and returns and cancellation.

The logo is stored in the database (``TenantBrand.logo``) so that every web process serves
the same bytes; only PNG and JPEG are taken (an SVG can carry script), their real type read
from the bytes by Pillow, at most ``MAX_LOGO_BYTES`` and ``MAX_LOGO_SIDE`` pixels a side. The
brand's primary colour is text on white and the background of white text (mail headers), so
it must reach the WCAG AA contrast of 4.5:1 against white; the accent colour is a button
background whose text colour is chosen by contrast (``ink_for``).
"""

from __future__ import annotations

import base64
import hashlib
import io
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, UnidentifiedImageError

from core.colours import WHITE, contrast, ink_for
from core.context import Context, TenantMismatch, TenantRef
from core.errors import FieldError, ShomeiError
from core.links import default_public_url, tenant_url
from tenants.audit import audit
from tenants.errors import raise_if, refuse
from tenants.scoping import scoped_tenant_id
from tenants.tables import Tenant, TenantBrand
from tenants.tenant_settings import CHECKS, get_settings, update_settings
from tenants.validation import (
    check_email,
    check_length,
    check_phone,
    nfkc,
    normalise_email,
    normalise_phone,
    required,
)

MAX_LOGO_BYTES = 512 * 1024
MAX_LOGO_SIDE = 2000
MIN_LOGO_SIDE = 16
LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}
JPEG_END = b"\xff\xd9"
"""A whole JPEG ends with EOI. Pillow's own truncation check cannot be relied on: WeasyPrint,
loaded in the same process, turns on ``ImageFile.LOAD_TRUNCATED_IMAGES`` for everyone."""
MIN_CONTRAST = 4.5

BRAND_FIELDS = ("name", "primary_colour", "accent_colour", "support_email", "footer_text")
LEGAL_FIELDS = (
    "seller",  # 販売業者
    "manager",  # 運営統括責任者
    "address",  # 所在地
    "phone",  # 電話番号
    "prices",  # 販売価格
    "extra_fees",  # 商品代金以外の必要料金
    "payment_methods",  # 支払方法
    "payment_timing",  # 支払時期
    "delivery",  # 引渡時期
    "returns",  # 返品・キャンセル
)
LEGAL_SHORT = {"seller": 255, "manager": 255, "address": 255, "phone": 20}
LEGAL_LONG = 2000
DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\uff70", "-"))
"""Hyphens, dashes, minus signs and the long-vowel mark a phone number is typed with."""


@dataclass(frozen=True)
class Logo:
    data: bytes
    content_type: str
    sha256: str
    width: int
    height: int

    @property
    def version(self) -> str:
        return self.sha256[:16]


@dataclass(frozen=True)
class Brand:
    """What every customer-facing page, PDF and mail of the tenant shows."""

    name: str
    primary_colour: str
    accent_colour: str
    footer_text: str
    support_email: str
    logo_version: str = ""  # empty: no logo uploaded
    logo_type: str = ""
    legal: dict[str, str] = field(default_factory=dict)

    @property
    def accent_ink(self) -> str:
        return ink_for(self.accent_colour)

    @property
    def logo_path(self) -> str:
        """The logo's address on the tenant's host; it changes with the logo (cache-safe)."""
        return f"/brand/logo/{self.logo_version}" if self.logo_version else ""

    @property
    def legal_complete(self) -> bool:
        return all(self.legal.get(name) for name in LEGAL_FIELDS)


async def _row(tenant_id: int) -> dict[str, Any] | None:
    return await (
        TenantBrand.select(
            TenantBrand.support_email,
            TenantBrand.logo_type,
            TenantBrand.logo_sha256,
            TenantBrand.legal,
        )
        .where(TenantBrand.tenant == tenant_id)
        .output(load_json=True)
        .first()
        .run()
    )


async def get_brand(ctx: Context) -> Brand:
    """The tenant's brand (defaults until its staff save the branding page)."""
    scoped_tenant_id(ctx)
    return await brand_for(ctx.tenant)


async def brand_for(tenant_ref: TenantRef) -> Brand:
    """``get_brand`` for a request that has a tenant (its host) but no actor yet."""
    tenant_id = scoped_tenant_id()
    if tenant_id != tenant_ref.id:
        raise TenantMismatch(f"brand of tenant {tenant_ref.id} inside scope of {tenant_id}")
    tenant = await (
        Tenant.select(Tenant.name, Tenant.primary_colour, Tenant.accent_colour, Tenant.footer_text)
        .where(Tenant.id == tenant_id)
        .first()
        .run()
    )
    row = await _row(tenant_id) or {}
    tenant = tenant or {"name": "", "primary_colour": "", "accent_colour": ""}
    return Brand(
        name=tenant["name"] or tenant_ref.slug,
        primary_colour=tenant["primary_colour"],
        accent_colour=tenant["accent_colour"],
        footer_text=tenant.get("footer_text", ""),
        support_email=row.get("support_email", ""),
        logo_version=(row.get("logo_sha256") or "")[:16],
        logo_type=row.get("logo_type", ""),
        legal={k: str(v) for k, v in (row.get("legal") or {}).items() if k in LEGAL_FIELDS},
    )


async def _ensure_row(ctx: Context, tenant_id: int) -> None:
    await (
        TenantBrand.insert(TenantBrand(tenant=tenant_id, updated_at=ctx.clock.now()))
        .on_conflict(target=TenantBrand.tenant, action="DO NOTHING")
        .run()
    )


def brand_errors(values: dict[str, str]) -> list[FieldError]:
    """Every problem of the branding form at once (values already cleaned)."""
    errors: list[FieldError] = []
    for name in ("name", "primary_colour", "accent_colour", "footer_text"):
        errors += CHECKS[name](name, values[name])
    errors += check_length("name", values["name"], 100)
    primary = values["primary_colour"]
    if not any(e.field == "primary_colour" for e in errors):
        ratio = contrast(primary, WHITE)
        if ratio < MIN_CONTRAST:
            errors.append(
                FieldError(
                    "primary_colour",
                    "tenants.brand.contrast_low",
                    {"ratio": f"{ratio:.1f}", "minimum": MIN_CONTRAST},
                )
            )
    if values["support_email"]:
        errors += check_email("support_email", values["support_email"])
    return errors


def clean_brand(form: dict[str, Any]) -> dict[str, str]:
    values = {name: nfkc(str(form.get(name, "") or "")) for name in BRAND_FIELDS}
    values["primary_colour"] = values["primary_colour"].upper()
    values["accent_colour"] = values["accent_colour"].upper()
    values["support_email"] = normalise_email(values["support_email"])
    return values


async def update_brand(ctx: Context, form: dict[str, Any]) -> Brand:
    """Save the name, colours, support address and footer; every bad field refused at once."""
    tenant_id = scoped_tenant_id(ctx)
    values = clean_brand(form)
    raise_if(brand_errors(values))
    await update_settings(
        ctx, {k: values[k] for k in ("name", "primary_colour", "accent_colour", "footer_text")}
    )
    await _ensure_row(ctx, tenant_id)
    await TenantBrand.update(
        {
            TenantBrand.support_email: values["support_email"],
            TenantBrand.updated_at: ctx.clock.now(),
        }
    ).where(TenantBrand.tenant == tenant_id)
    await audit(ctx, "tenant.brand_changed", "tenant", tenant_id, {"fields": list(BRAND_FIELDS)})
    return await get_brand(ctx)


def clean_legal(form: dict[str, Any]) -> dict[str, str]:
    values = {}
    for name in LEGAL_FIELDS:
        text = str(form.get(name, "") or "").replace("\r\n", "\n").strip()
        values[name] = nfkc(text) if name in LEGAL_SHORT else text
    values["phone"] = normalise_phone(values["phone"].translate(DASHES))
    return values


def legal_errors(values: dict[str, str]) -> list[FieldError]:
    errors: list[FieldError] = []
    for name in LEGAL_FIELDS:
        if name == "phone":
            errors += check_phone(name, values[name])
            continue
        errors += required(name, values[name])
        errors += check_length(name, values[name], LEGAL_SHORT.get(name, LEGAL_LONG))
    return errors


async def update_legal(ctx: Context, form: dict[str, Any]) -> Brand:
    """Save the 特定商取引法 notices; each one is required (the law asks for all of them)."""
    tenant_id = scoped_tenant_id(ctx)
    values = clean_legal(form)
    raise_if(legal_errors(values))
    await _ensure_row(ctx, tenant_id)
    await TenantBrand.update(
        {TenantBrand.legal: values, TenantBrand.updated_at: ctx.clock.now()}
    ).where(TenantBrand.tenant == tenant_id)
    await audit(ctx, "tenant.legal_notices_changed", "tenant", tenant_id)
    return await get_brand(ctx)


def read_logo(data: bytes) -> tuple[str, int, int]:
    """The logo's content type and size in pixels, read from its bytes; refused (field
    ``logo``) when empty, too large, not a whole PNG or JPEG, or out of the size limits."""
    if not data:
        refuse("logo", "tenants.brand.logo_missing")
    if len(data) > MAX_LOGO_BYTES:
        refuse("logo", "tenants.brand.logo_too_large", maximum=MAX_LOGO_BYTES // 1024)
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = LOGO_TYPES.get(image.format or "")
            width, height = image.size
            if kind is None:
                refuse("logo", "tenants.brand.logo_type")
            if not all(MIN_LOGO_SIDE <= side <= MAX_LOGO_SIDE for side in (width, height)):
                refuse(
                    "logo", "tenants.brand.logo_size", minimum=MIN_LOGO_SIDE, maximum=MAX_LOGO_SIDE
                )
            image.load()
        if kind == "image/png":
            with Image.open(io.BytesIO(data)) as image:
                image.verify()  # every chunk whole, its CRC right
        elif not data.rstrip(b"\x00\r\n ").endswith(JPEG_END):
            raise OSError("JPEG without its end marker")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        refuse("logo", "tenants.brand.logo_type")
    return kind, width, height


async def store_logo(ctx: Context, data: bytes) -> Brand:
    tenant_id = scoped_tenant_id(ctx)
    kind, width, height = read_logo(data)
    digest = hashlib.sha256(data).hexdigest()
    await _ensure_row(ctx, tenant_id)
    await TenantBrand.update(
        {
            TenantBrand.logo: data,
            TenantBrand.logo_type: kind,
            TenantBrand.logo_sha256: digest,
            TenantBrand.logo_width: width,
            TenantBrand.logo_height: height,
            TenantBrand.updated_at: ctx.clock.now(),
        }
    ).where(TenantBrand.tenant == tenant_id)
    await audit(
        ctx, "tenant.logo_changed", "tenant", tenant_id, {"sha256": digest, "bytes": len(data)}
    )
    return await get_brand(ctx)


async def remove_logo(ctx: Context) -> Brand:
    tenant_id = scoped_tenant_id(ctx)
    await TenantBrand.update(
        {
            TenantBrand.logo: b"",
            TenantBrand.logo_type: "",
            TenantBrand.logo_sha256: "",
            TenantBrand.logo_width: 0,
            TenantBrand.logo_height: 0,
            TenantBrand.updated_at: ctx.clock.now(),
        }
    ).where(TenantBrand.tenant == tenant_id)
    await audit(ctx, "tenant.logo_removed", "tenant", tenant_id)
    return await get_brand(ctx)


async def get_logo(ctx: Context) -> Logo | None:
    tenant_id = scoped_tenant_id(ctx)
    row = await (
        TenantBrand.select(
            TenantBrand.logo,
            TenantBrand.logo_type,
            TenantBrand.logo_sha256,
            TenantBrand.logo_width,
            TenantBrand.logo_height,
        )
        .where(TenantBrand.tenant == tenant_id)
        .first()
        .run()
    )
    if not row or not row["logo_sha256"]:
        return None
    return Logo(
        bytes(row["logo"]),
        row["logo_type"],
        row["logo_sha256"],
        row["logo_width"],
        row["logo_height"],
    )


@dataclass(frozen=True)
class MailBrand:
    """What ``core.messaging.branding.load_branding`` reads for the tenant's mails."""

    name: str
    logo_url: str
    primary_colour: str
    accent_colour: str
    footer_text: str
    language: str
    support_email: str


async def mail_brand(ctx: Context) -> MailBrand:
    """The brand of the tenant's mails: the uploaded logo as an absolute address on the
    tenant's host (a mail is read far from any request), else the settings' logo URL."""
    settings = await get_settings(ctx)
    brand = await get_brand(ctx)
    logo_url = settings.logo_url
    if brand.logo_path:
        try:
            public_url = default_public_url()
        except ShomeiError:  # no deployment settings (a test's job): the mail keeps no logo
            public_url = ""
        found = tenant_url(public_url, ctx.tenant.slug, brand.logo_path)
        logo_url = found if found.startswith(("https://", "http://")) else settings.logo_url
    return MailBrand(
        name=brand.name,
        logo_url=logo_url,
        primary_colour=brand.primary_colour,
        accent_colour=brand.accent_colour,
        footer_text=brand.footer_text,
        language=settings.language,
        support_email=brand.support_email,
    )


async def logo_data_uri(ctx: Context) -> str:
    """The uploaded logo as a ``data:`` address for the PDFs (rendered without a network),
    or empty when there is none."""
    found = await get_logo(ctx)
    if found is None:
        return ""
    return f"data:{found.content_type};base64,{base64.b64encode(found.data).decode('ascii')}"
