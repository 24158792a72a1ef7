"""Retail prices: an explicit rule per product and term, else the tenant's markup rule.

A term's own rule is either a fixed price (base, each extra FQDN, each wildcard) or a markup
in percent over that term's wholesale price (rounded up as the tenant's markup rule says, else
to the yen). A disabled product has no price for sale: the shop leaves it out and an order
refuses it, while the console still shows what it would cost.

Resolving a price returns integer yen (tax-exclusive). Orders and quotes copy the resolved
unit price into their lines, so changing a price here never changes an existing order.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from core.catalog.errors import refuse
from core.catalog.products import ProductView, get_product
from core.catalog.tables import MarkupRule, RetailPrice
from core.catalog.wholesale import wholesale_price
from core.context import Context
from core.contracts.common import Price, Yen

ROUND_TO = (1, 10, 100)


class MarkupKind(StrEnum):
    PERCENT = "percent"  # value in basis points: 3000 = 30 %
    FIXED = "fixed"  # value in yen added to each wholesale amount


@dataclass(frozen=True)
class Markup:
    """How a tenant turns a wholesale amount into a retail one, rounded up to ``round_to`` yen."""

    kind: MarkupKind
    value: int
    round_to: int = 1

    def apply(self, wholesale: Yen) -> Yen:
        if self.kind is MarkupKind.PERCENT:
            raised = -(-wholesale * (10_000 + self.value) // 10_000)  # ceiling, integers only
        else:
            raised = wholesale + self.value
        return -(-raised // self.round_to) * self.round_to

    def apply_to(self, price: Price) -> Price:
        return Price(
            base=self.apply(price.base),
            per_additional_fqdn=self.apply(price.per_additional_fqdn)
            if price.per_additional_fqdn
            else 0,
            per_wildcard=self.apply(price.per_wildcard) if price.per_wildcard else 0,
        )


def unit_price(price: Price, fqdns: int, wildcards: int) -> Yen:
    """One unit of a line: the base price plus each additional FQDN and each wildcard name."""
    return price.base + fqdns * price.per_additional_fqdn + wildcards * price.per_wildcard


async def set_markup(ctx: Context, markup: Markup) -> None:
    if markup.round_to not in ROUND_TO:
        raise refuse("round_to", "catalog.markup.round_to_invalid")
    if markup.value < 0 or markup.kind not in MarkupKind:
        raise refuse("value", "catalog.markup.value_invalid")
    existing = await MarkupRule.exists().where(MarkupRule.tenant_id == ctx.tenant.id).run()
    values = {
        MarkupRule.kind: markup.kind.value,
        MarkupRule.value: markup.value,
        MarkupRule.round_to: markup.round_to,
        MarkupRule.updated_at: ctx.clock.now(),
    }
    if existing:
        await MarkupRule.update(values).where(MarkupRule.tenant_id == ctx.tenant.id).run()
        return
    await MarkupRule.insert(
        MarkupRule(
            tenant_id=ctx.tenant.id,
            kind=markup.kind.value,
            value=markup.value,
            round_to=markup.round_to,
            updated_at=ctx.clock.now(),
        )
    ).run()


async def get_markup(ctx: Context) -> Markup | None:
    row = await MarkupRule.select().where(MarkupRule.tenant_id == ctx.tenant.id).first().run()
    if row is None:
        return None
    return Markup(MarkupKind(row["kind"]), row["value"], row["round_to"])


@dataclass(frozen=True)
class RetailRule:
    """One term's own rule: ``markup_bp`` (basis points over wholesale) or the fixed ``price``."""

    term_months: int
    price: Price | None = None
    markup_bp: int | None = None


MAX_MARKUP_BP = 100_000  # 1000 %


async def retail_rules(ctx: Context, product_id: int) -> dict[int, RetailRule]:
    """The product's own rules by term (a term without one follows the tenant's markup)."""
    rows = await RetailPrice.select().where(
        (RetailPrice.tenant_id == ctx.tenant.id) & (RetailPrice.product_id == product_id)
    )
    return {row["term_months"]: _rule(row) for row in rows}


def _rule(row: dict[str, Any]) -> RetailRule:
    if row["markup_bp"] is not None:
        return RetailRule(row["term_months"], markup_bp=row["markup_bp"])
    price = Price(row["base"], row["per_additional_fqdn"], row["per_wildcard"])
    return RetailRule(row["term_months"], price=price)


async def set_retail_markup(
    ctx: Context, product_id: int, term_months: int, markup_bp: int
) -> None:
    """Price one product and term at ``markup_bp`` basis points over its wholesale price."""
    if not 0 <= markup_bp <= MAX_MARKUP_BP:
        raise refuse("markup", "catalog.price.markup_out_of_range", max=MAX_MARKUP_BP // 100)
    await set_retail_price(ctx, product_id, term_months, Price(0), markup_bp=markup_bp)


async def set_retail_price(
    ctx: Context,
    product_id: int,
    term_months: int,
    price: Price,
    *,
    markup_bp: int | None = None,
) -> None:
    """Set the explicit retail price of one product and term (it wins over the markup)."""
    product = await get_product(ctx, product_id)
    if term_months not in product.terms_months:
        raise refuse("term_months", "catalog.price.term_not_offered", months=term_months)
    if min(price.base, price.per_additional_fqdn, price.per_wildcard) < 0:
        raise refuse("base", "catalog.price.negative")
    where = (
        (RetailPrice.tenant_id == ctx.tenant.id)
        & (RetailPrice.product_id == product_id)
        & (RetailPrice.term_months == term_months)
    )
    values = {
        RetailPrice.base: price.base,
        RetailPrice.per_additional_fqdn: price.per_additional_fqdn,
        RetailPrice.per_wildcard: price.per_wildcard,
        RetailPrice.markup_bp: markup_bp,
        RetailPrice.updated_at: ctx.clock.now(),
    }
    if await RetailPrice.exists().where(where).run():
        await RetailPrice.update(values).where(where).run()
        return
    await RetailPrice.insert(
        RetailPrice(
            tenant_id=ctx.tenant.id,
            product_id=product_id,
            term_months=term_months,
            base=price.base,
            per_additional_fqdn=price.per_additional_fqdn,
            per_wildcard=price.per_wildcard,
            markup_bp=markup_bp,
            updated_at=ctx.clock.now(),
        )
    ).run()


async def resolve_price(
    ctx: Context, product: ProductView, term_months: int, *, for_sale: bool = True
) -> Price:
    """The retail price now: the term's own rule, else the tenant's markup over the running
    wholesale price. ``for_sale`` refuses a disabled product (the console passes False)."""
    if for_sale and not product.enabled:
        raise refuse("product", "catalog.price.product_disabled", code=product.code)
    if term_months not in product.terms_months:
        raise refuse("term_months", "catalog.price.term_not_offered", months=term_months)
    row = await (
        RetailPrice.select()
        .where(
            (RetailPrice.tenant_id == ctx.tenant.id)
            & (RetailPrice.product_id == product.id)
            & (RetailPrice.term_months == term_months)
        )
        .first()
        .run()
    )
    markup = await get_markup(ctx)
    if row is not None:
        rule = _rule(row)
        if rule.price is not None:
            return rule.price
        assert rule.markup_bp is not None
        round_to = markup.round_to if markup is not None else 1
        markup = Markup(MarkupKind.PERCENT, rule.markup_bp, round_to)
    wholesale = await wholesale_price(ctx, product, term_months)
    if markup is None or wholesale is None:
        raise refuse("product", "catalog.price.unavailable", code=product.code)
    return markup.apply_to(wholesale)
