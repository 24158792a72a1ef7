"""Products a tenant sells, per provider account: codes, names, terms and name limits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from core.catalog.tables import Product
from core.context import Context
from core.contracts.common import ProductSpec
from core.errors import FieldError, NotFound, ValidationFailed

MIN_TERM_MONTHS = 1
MAX_TERM_MONTHS = 72  # six years
KINDS = ("ssl", "client", "hosting", "option")
VALIDATIONS = ("dv", "ov", "ev", "none")


@dataclass(frozen=True)
class ProductView:
    """A catalog product as services and pages read it."""

    id: int
    provider_account_id: int
    provider_code: str
    code: str
    name_ja: str
    name_en: str
    kind: Literal["ssl", "client", "hosting", "option"]
    validation: Literal["dv", "ov", "ev", "none"]
    terms_months: tuple[int, ...]
    max_fqdns: int
    max_wildcards: int
    wholesale_name: str
    enabled: bool = True

    def name(self, language: str) -> str:
        return self.name_ja if language == "ja" else self.name_en


def check_spec(spec: ProductSpec) -> list[FieldError]:
    """Field errors of a product definition (terms 1 month to 6 years, known kind and level)."""
    errors: list[FieldError] = []
    if not spec.code.strip():
        errors.append(FieldError("code", "catalog.product.code_required"))
    if not spec.name_ja.strip() or not spec.name_en.strip():
        errors.append(FieldError("name", "catalog.product.name_required"))
    if spec.kind not in KINDS:
        errors.append(FieldError("kind", "catalog.product.kind_invalid"))
    if spec.validation not in VALIDATIONS:
        errors.append(FieldError("validation", "catalog.product.validation_invalid"))
    if not spec.terms_months or any(
        not MIN_TERM_MONTHS <= t <= MAX_TERM_MONTHS for t in spec.terms_months
    ):
        errors.append(
            FieldError(
                "terms_months",
                "catalog.product.term_out_of_range",
                {"min": MIN_TERM_MONTHS, "max": MAX_TERM_MONTHS},
            )
        )
    if spec.max_fqdns < 0 or spec.max_wildcards < 0:
        errors.append(FieldError("max_fqdns", "catalog.product.limit_negative"))
    return errors


async def save_product(
    ctx: Context,
    provider_account_id: int,
    provider_code: str,
    spec: ProductSpec,
    wholesale_name: str = "",
    enabled: bool | None = None,
) -> ProductView:
    """Create the product, or update the one with the same code under the same account.

    ``wholesale_name`` is the product's name in the provider's price table (製品名 without the
    term); a price table row also matches when its product code equals ``spec.code``.
    ``enabled`` None keeps an existing product's state (a new one is enabled).
    """
    errors = check_spec(spec)
    if errors:
        raise ValidationFailed(errors)
    values: dict[Any, Any] = {
        Product.provider_code: provider_code,
        Product.name_ja: spec.name_ja,
        Product.name_en: spec.name_en,
        Product.kind: spec.kind,
        Product.validation: spec.validation,
        Product.terms_months: sorted(set(spec.terms_months)),
        Product.max_fqdns: spec.max_fqdns,
        Product.max_wildcards: spec.max_wildcards,
        Product.wholesale_name: wholesale_name,
    }
    if enabled is not None:
        values[Product.enabled] = enabled
    where = (
        (Product.tenant_id == ctx.tenant.id)
        & (Product.provider_account_id == provider_account_id)
        & (Product.code == spec.code)
    )
    existing = await Product.select(Product.id).where(where).first().run()
    if existing:
        await Product.update(values).where(Product.id == existing["id"]).run()
        return await get_product(ctx, existing["id"])
    row = Product(
        tenant_id=ctx.tenant.id,
        provider_account_id=provider_account_id,
        code=spec.code,
        created_at=ctx.clock.now(),
        **{column._meta.name: value for column, value in values.items()},
    )
    await row.save().run()
    return await get_product(ctx, row.id)


async def get_product(ctx: Context, product_id: int) -> ProductView:
    row = await (
        Product.select()
        .where((Product.id == product_id) & (Product.tenant_id == ctx.tenant.id))
        .first()
        .output(load_json=True)
        .run()
    )
    if row is None:
        raise NotFound("catalog.product.not_found", product_id)
    return _view(row)


async def set_product_enabled(ctx: Context, product_id: int, enabled: bool) -> ProductView:
    """Offer a product in the shop, or stop offering it (its prices and orders stay)."""
    await get_product(ctx, product_id)
    await (
        Product.update({Product.enabled: enabled})
        .where((Product.id == product_id) & (Product.tenant_id == ctx.tenant.id))
        .run()
    )
    return await get_product(ctx, product_id)


async def list_products(
    ctx: Context, provider_account_id: int | None = None, *, enabled_only: bool = False
) -> list[ProductView]:
    where = Product.tenant_id == ctx.tenant.id
    if provider_account_id is not None:
        where = where & (Product.provider_account_id == provider_account_id)
    if enabled_only:
        where = where & (Product.enabled == True)  # noqa: E712 (a Piccolo expression)
    rows = await Product.select().where(where).order_by(Product.id).output(load_json=True).run()
    return [_view(row) for row in rows]


def _view(row: dict[str, Any]) -> ProductView:
    return ProductView(
        id=row["id"],
        provider_account_id=row["provider_account_id"],
        provider_code=row["provider_code"],
        code=row["code"],
        name_ja=row["name_ja"],
        name_en=row["name_en"],
        kind=row["kind"],
        validation=row["validation"],
        terms_months=tuple(row["terms_months"]),
        max_fqdns=row["max_fqdns"],
        max_wildcards=row["max_wildcards"],
        wholesale_name=row["wholesale_name"],
        enabled=bool(row["enabled"]),
    )
