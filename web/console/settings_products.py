"""Products and retail prices (``/console/products``, ``catalog.manage``).

The list is the catalog (``web.console.listing``); the markup form sets the tenant's rule
(percent or fixed yen over the wholesale price, rounded up to 1, 10 or 100 yen); a product's
page shows, per term, the wholesale price of the running contract (read-only: set by the
provider), the retail price in force, and a form for an explicit price that wins over the
markup. Rules in ``core.catalog.retail``; refusals name the field.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from core.catalog.products import get_product
from core.catalog.retail import (
    ROUND_TO,
    Markup,
    MarkupKind,
    get_markup,
    resolve_price,
    set_markup,
    set_retail_price,
)
from core.catalog.tables import Product
from core.catalog.wholesale import wholesale_price
from core.contracts.common import Price
from core.errors import FieldError, NotFound, ValidationFailed
from tenants.roles import Permission
from web.console.access import SignedInStaff, not_found, staff
from web.console.listing import Column, Filter, ListSpec, formatter, list_response
from web.console.pages import page
from web.controllers.auth import by_field, redirect

PATH = "/console/products"
PRICE_FIELDS = ("base", "per_additional_fqdn", "per_wildcard")

PRODUCTS = ListSpec(
    name="products",
    table=Product,
    columns=(
        Column("code", "web.console_settings.products.code", sortable=True,
               link=lambda row: f"{PATH}/{row['id']}"),
        Column("name_ja", "web.console_settings.products.name",
               value=lambda row, fmt: row["name_ja"] if fmt.language == "ja" else row["name_en"]),
        Column("provider_code", "web.console_settings.products.provider", sortable=True),
        Column("validation", "web.console_settings.products.validation"),
    ),
    filters=(
        Filter.contains("q", (Product.code, Product.name_ja, Product.name_en),
                        "web.console_settings.products.search"),
    ),
    default_sort="code",
)  # fmt: skip


def _markup_form(markup: Markup | None) -> dict[str, str]:
    if markup is None:
        return {"kind": "percent", "value": "", "round_to": "1"}
    value = (
        str(Decimal(markup.value) / 100) if markup.kind is MarkupKind.PERCENT else str(markup.value)
    )
    return {"kind": markup.kind.value, "value": value, "round_to": str(markup.round_to)}


def _parse_markup(form: dict[str, str]) -> Markup:
    """Percent as typed (12.5 → 1250 basis points), fixed in whole yen."""
    errors: list[FieldError] = []
    kind = form["kind"]
    if kind not in {k.value for k in MarkupKind}:
        errors.append(FieldError("kind", "web.console_settings.choice_invalid"))
    try:
        number = Decimal(form["value"].strip())
        value = int(number * 100) if kind == MarkupKind.PERCENT.value else int(number)
        if number != number.quantize(Decimal("0.01")) or (kind == "fixed" and number % 1):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors.append(FieldError("value", "web.console_settings.number_invalid"))
        value = 0
    round_to = int(form["round_to"]) if form["round_to"].isdigit() else 0
    if errors:
        raise ValidationFailed(errors)
    return Markup(MarkupKind(kind), value, round_to)


class ConsoleProducts(Controller):
    path = PATH
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await staff(request, Permission.CATALOG_MANAGE)
        if not isinstance(me, SignedInStaff):
            return me
        form = _markup_form(await get_markup(me.ctx))
        return await _list(request, me, form, {})

    @post("/markup")
    async def markup(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await staff(request, Permission.CATALOG_MANAGE)
        if not isinstance(me, SignedInStaff):
            return me
        data = await request.form()
        form = {k: str(data.get(k, "")) for k in ("kind", "value", "round_to")}
        try:
            await set_markup(me.ctx, _parse_markup(form))
        except ValidationFailed as exc:
            return await _list(request, me, form, by_field(exc.errors), status=400)
        return redirect(f"{PATH}?notice=saved")

    @get("/{product_id:int}")
    async def show(
        self, request: Request[Any, Any, Any], product_id: FromPath[int]
    ) -> Response[Any]:
        me = await staff(request, Permission.CATALOG_MANAGE)
        if not isinstance(me, SignedInStaff):
            return me
        return await _product(request, me, product_id)

    @post("/{product_id:int}/price")
    async def price(
        self, request: Request[Any, Any, Any], product_id: FromPath[int]
    ) -> Response[Any]:
        me = await staff(request, Permission.CATALOG_MANAGE)
        if not isinstance(me, SignedInStaff):
            return me
        data = await request.form()
        form = {k: str(data.get(k, "")).strip() for k in ("term_months", *PRICE_FIELDS)}
        errors = {
            name: FieldError(name, "web.console_settings.number_invalid")
            for name in PRICE_FIELDS
            if not (form[name] or "0").isdigit()
        }
        if not form["term_months"].isdigit():
            errors["term_months"] = FieldError("term_months", "web.console_settings.choice_invalid")
        if not errors:
            price = Price(*(int(form[name] or "0") for name in PRICE_FIELDS))
            try:
                await set_retail_price(me.ctx, product_id, int(form["term_months"]), price)
            except NotFound:
                return not_found(request)
            except ValidationFailed as exc:
                errors = by_field(exc.errors)
            else:
                return redirect(f"{PATH}/{product_id}?notice=saved")
        return await _product(request, me, product_id, errors, form)


async def _list(
    request: Request[Any, Any, Any],
    me: SignedInStaff,
    form: dict[str, str],
    errors: dict[str, FieldError],
    status: int = 200,
) -> Response[Any]:
    return await list_response(
        request, PRODUCTS, me.ctx,
        lambda listing: page(
            request, me, "pages/console/settings/products.html", status=status,
            section="products", listing=listing, markup=form, errors=errors,
            round_to=ROUND_TO,
        ),
    )  # fmt: skip


async def _product(
    request: Request[Any, Any, Any],
    me: SignedInStaff,
    product_id: int,
    errors: dict[str, FieldError] | None = None,
    form: dict[str, str] | None = None,
) -> Response[Any]:
    try:
        product = await get_product(me.ctx, product_id)
    except NotFound:
        return not_found(request)
    fmt = formatter(request, me.ctx)
    terms = []
    for months in product.terms_months:
        wholesale = await wholesale_price(me.ctx, product, months)
        try:
            retail: Price | None = await resolve_price(me.ctx, product, months)
        except ValidationFailed:
            retail = None
        terms.append(
            {"months": months, "wholesale": _price_text(wholesale, fmt.yen),
             "retail": _price_text(retail, fmt.yen)}
        )  # fmt: skip
    return page(
        request, me, "pages/console/settings/product.html",
        status=400 if errors else 200, section="products", product=product,
        name=product.name(fmt.language), terms=terms, errors=errors or {},
        form=form or {"term_months": str(product.terms_months[0]) if product.terms_months else "",
                      "base": "", "per_additional_fqdn": "", "per_wildcard": ""},
    )  # fmt: skip


def _price_text(price: Price | None, yen: Any) -> dict[str, str] | None:
    if price is None:
        return None
    return {name: yen(getattr(price, name)) for name in PRICE_FIELDS}
