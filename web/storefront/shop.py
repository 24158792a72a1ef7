"""The shop on a tenant's host: products with prices (税別 and 税込), configuring a line
(years, quantity, additional FQDNs, wildcard names) and the cart.

``GET /shop/`` lists the products, ``GET /shop/products/{id}`` configures one, ``POST
/shop/cart`` adds the line (the form comes back with the input kept and the field named when
a value is refused), ``GET /shop/cart`` shows the cart priced today, ``POST
/shop/cart/remove`` drops a line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect

from core.catalog.products import get_product
from core.errors import NotFound
from core.i18n import format_yen
from core.orders.lines import LineInput, price_lines
from web.pages import translator
from web.storefront import cart
from web.storefront.context import order_deps, signed_in_customer, visitor_ctx
from web.storefront.forms import Errors, field_errors, whole_number
from web.storefront.page import page
from web.storefront.pricing import ShopProduct, price_cart, shop_product, shop_products

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
MAX_QUANTITY = 100


@dataclass
class LineForm:
    product_id: str = ""
    term_months: str = ""
    quantity: str = "1"
    fqdns: str = "0"
    wildcards: str = "0"
    csrf_token: str = ""


@dataclass
class RemoveForm:
    position: str = ""
    csrf_token: str = ""


def redirect(path: str) -> Redirect:
    return Redirect(path=path, status_code=303)


async def cart_view(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The cart priced today, ready for a template (used by the cart and checkout pages)."""
    ctx = visitor_ctx(request)
    lang = translator(request).language
    deps = await order_deps(request, ctx)
    row = await cart.load(ctx, cart.owner_of(request))
    priced = await price_cart(ctx, cart.lines_of(row), deps.tax)

    def yen(amount: int) -> str:
        return format_yen(amount, lang)

    return {
        "lines": [
            {
                "position": n,
                "name": line.name_ja if lang == "ja" else line.name_en,
                "quantity": line.quantity,
                "years": line.term_months // 12 if line.term_months % 12 == 0 else None,
                "months": line.term_months,
                "fqdns": line.fqdns,
                "wildcards": line.wildcards,
                "unit_price": yen(line.unit_price),
                "amount": yen(line.amount),
            }
            for n, line in enumerate(priced.lines)
        ],
        "subtotal": yen(priced.totals.subtotal),
        "tax": yen(priced.totals.tax),
        "total": yen(priced.totals.total),
        "tax_totals": [
            {"rate": t.rate, "taxable": yen(t.taxable), "tax": yen(t.tax)}
            for t in priced.totals.by_rate
        ],
        "stale": bool(priced.errors),
        "empty": not priced.lines,
        "placed_order_id": row.order_id if row is not None else None,
        "product_ids": [line.product_id for line in priced.lines if line.product_id],
    }


class ShopController(Controller):
    path = "/shop"
    include_in_schema = False

    @get("/")
    async def products(self, request: Request[Any, Any, Any]) -> Response[Any]:
        ctx = visitor_ctx(request)
        deps = await order_deps(request, ctx)
        lang = translator(request).language
        return await page(
            request,
            "pages/storefront/products.html",
            products=await shop_products(ctx, deps.tax, lang),
            tax_rate=deps.tax.rate,
            customer=await signed_in_customer(request),
        )

    async def _product(self, request: Request[Any, Any, Any], product_id: int) -> ShopProduct:
        ctx = visitor_ctx(request)
        deps = await order_deps(request, ctx)
        shown = await shop_product(
            ctx, await get_product(ctx, product_id), deps.tax, translator(request).language
        )
        if shown is None:
            raise NotFound("storefront.product.not_found", product_id)
        return shown

    async def _configure_page(
        self,
        request: Request[Any, Any, Any],
        product: ShopProduct,
        form: LineForm,
        errors: Errors,
        status: int = 200,
    ) -> Response[Any]:
        return await page(
            request,
            "pages/storefront/product.html",
            status=status,
            product=product,
            form=form,
            errors=errors,
            max_quantity=MAX_QUANTITY,
        )

    @get("/products/{product_id:int}")
    async def product(
        self, request: Request[Any, Any, Any], product_id: FromPath[int]
    ) -> Response[Any]:
        try:
            shown = await self._product(request, product_id)
        except NotFound:
            return await page(request, "pages/storefront/missing.html", status=404)
        form = LineForm(product_id=str(product_id), term_months=str(shown.terms[0].term_months))
        return await self._configure_page(request, shown, form, {})

    @post("/cart")
    async def add(
        self, request: Request[Any, Any, Any], data: Annotated[LineForm, FORM]
    ) -> Response[Any]:
        try:
            product_id = int(data.product_id)
            shown = await self._product(request, product_id)
        except (ValueError, NotFound):
            return await page(request, "pages/storefront/missing.html", status=404)
        errors: Errors = {}
        offered = [term.term_months for term in shown.terms]
        _ = translator(request)
        low, high = min(offered), max(offered)
        term = whole_number(
            errors, "term_months", _("storefront.term"), data.term_months, low, high
        )
        quantity = whole_number(
            errors, "quantity", _("storefront.field.quantity"), data.quantity, 1, MAX_QUANTITY
        )
        fqdns = whole_number(
            errors, "fqdns", _("storefront.field.fqdns"), data.fqdns, 0, shown.max_fqdns
        )
        wildcards = whole_number(
            errors, "wildcards", _("storefront.field.wildcards"), data.wildcards, 0,
            shown.max_wildcards,
        )  # fmt: skip
        line = LineInput(product_id, quantity, term, fqdns, wildcards)
        ctx = visitor_ctx(request)
        if not errors:
            deps = await order_deps(request, ctx)
            priced, problems = await price_lines(ctx, (line,), deps.tax.rate)
            if not problems and priced[0] is not None:
                problems = await deps.gate.validate(ctx, priced)
            errors = field_errors(problems, "lines[0].")
        if errors:
            return await self._configure_page(request, shown, data, errors, status=400)
        await cart.add_line(ctx, cart.owner_of(request), line)
        return redirect("/shop/cart")

    @get("/cart")
    async def show_cart(self, request: Request[Any, Any, Any]) -> Response[Any]:
        return await page(
            request, "pages/storefront/cart.html", step="cart", cart=await cart_view(request)
        )

    @post("/cart/remove")
    async def remove(
        self, request: Request[Any, Any, Any], data: Annotated[RemoveForm, FORM]
    ) -> Response[Any]:
        try:
            position = int(data.position)
        except ValueError:
            return redirect("/shop/cart")
        await cart.remove_line(visitor_ctx(request), cart.owner_of(request), position)
        return redirect("/shop/cart")


__all__ = ["ShopController", "cart_view", "redirect"]
