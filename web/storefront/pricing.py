"""Prices as the shop shows them: tax-exclusive (税別) and tax-inclusive (税込) yen.

Nothing is computed here that core does not compute: unit prices come from
``core.catalog.retail``, line amounts from ``core.orders.lines.price_lines`` and totals (tax
once per rate, the tenant's rounding) from ``core.orders.totals.compute_totals``.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.catalog.products import ProductView, list_products
from core.catalog.retail import resolve_price
from core.context import Context
from core.errors import FieldError, ValidationFailed
from core.i18n import format_yen
from core.money import tax_on
from core.orders.lines import LineInput, PricedLine, price_lines
from core.orders.totals import TaxPolicy, Totals, compute_totals


@dataclass(frozen=True)
class TermPrice:
    """One term's own prices (tax-exclusive extras: each additional FQDN, each wildcard)."""

    term_months: int
    years: int | None
    excl: str
    incl: str
    per_fqdn: str = ""
    per_wildcard: str = ""


@dataclass(frozen=True)
class ShopProduct:
    id: int
    name: str
    validation: str
    max_fqdns: int
    max_wildcards: int
    terms: tuple[TermPrice, ...]
    per_fqdn: str
    per_wildcard: str


def years_of(months: int) -> int | None:
    return months // 12 if months % 12 == 0 else None


async def shop_product(
    ctx: Context, product: ProductView, tax: TaxPolicy, language: str
) -> ShopProduct | None:
    """A product with a price for each term it offers (None when no term has a price); each
    term carries its own extras (``per_fqdn``/``per_wildcard`` of the product are the first
    term's, kept for callers that show one term)."""
    terms = []
    extras = (0, 0)
    for months in product.terms_months:
        try:
            price = await resolve_price(ctx, product, months)
        except ValidationFailed:
            continue
        incl = price.base + tax_on(price.base, tax.rate, tax.rounding)
        terms.append(
            TermPrice(
                months,
                years_of(months),
                format_yen(price.base, language),
                format_yen(incl, language),
                format_yen(price.per_additional_fqdn, language),
                format_yen(price.per_wildcard, language),
            )
        )
        if not terms[1:]:
            extras = (price.per_additional_fqdn, price.per_wildcard)
    if not terms:
        return None
    return ShopProduct(
        id=product.id,
        name=product.name_ja if language == "ja" else product.name_en,
        validation=product.validation,
        max_fqdns=product.max_fqdns,
        max_wildcards=product.max_wildcards,
        terms=tuple(terms),
        per_fqdn=format_yen(extras[0], language),
        per_wildcard=format_yen(extras[1], language),
    )


async def shop_products(ctx: Context, tax: TaxPolicy, language: str) -> list[ShopProduct]:
    found = []
    for product in await list_products(ctx):
        shown = await shop_product(ctx, product, tax, language)
        if shown is not None:
            found.append(shown)
    return found


@dataclass(frozen=True)
class PricedCart:
    lines: tuple[PricedLine, ...]
    totals: Totals
    errors: tuple[FieldError, ...]


async def price_cart(ctx: Context, lines: tuple[LineInput, ...], tax: TaxPolicy) -> PricedCart:
    """Today's prices of the cart's lines; lines that no longer price are reported, not kept."""
    if not lines:
        return PricedCart((), compute_totals((), tax.rounding), ())
    priced, errors = await price_lines(ctx, lines, tax.rate)
    kept = tuple(line for line in priced if line is not None)
    totals = compute_totals(((line.amount, line.tax_rate) for line in kept), tax.rounding)
    return PricedCart(kept, totals, tuple(errors))
