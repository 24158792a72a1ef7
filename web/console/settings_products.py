"""Products and retail prices (``/console/products``, ``catalog.manage``).

The list is the catalog (``web.console.listing``); the markup form sets the tenant's rule
(percent or fixed yen over the wholesale price, rounded up to 1, 10 or 100 yen). The
*catalogue* page lists what each of the tenant's provider accounts sells
(``Provider.products()``) and adds one to the catalog, on sale or not. A product's page
shows, per term, that term's wholesale price of the running contract (read-only: set by the
provider) and its retail price in force; a form sets one term's own rule, a markup in percent
over that term's wholesale price or a fixed price (typed as people type yen: "22,000",
full-width digits, "22000円", ``core.money.parse_yen``); it can be taken off sale and back; and it
narrows the payment methods it accepts (``core.catalog.payment_methods``). Rules in
``core.catalog``; refusals name the field.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from core.catalog.payment_methods import product_methods, set_product_methods
from core.catalog.products import get_product, list_products, save_product, set_product_enabled
from core.catalog.retail import (
    ROUND_TO,
    Markup,
    MarkupKind,
    get_markup,
    resolve_price,
    retail_rules,
    set_markup,
    set_retail_markup,
    set_retail_price,
)
from core.catalog.tables import Product
from core.catalog.wholesale import wholesale_price
from core.contracts.common import Price
from core.errors import FieldError, NotFound, ValidationFailed
from core.money import parse_yen
from tenants.credentials import Keyring
from tenants.payment_methods import TenantPaymentMethods
from tenants.provider_accounts import PluginKind, plugin_account
from tenants.roles import Permission
from tenants.scoping import scoped
from tenants.tables import ProviderAccount
from web.console.access import SignedInStaff, not_found, staff
from web.console.listing import Column, Filter, ListSpec, formatter, list_response
from web.console.pages import page
from web.controllers.auth import by_field, redirect, web_state

PATH = "/console/products"
PRICE_FIELDS = ("base", "per_additional_fqdn", "per_wildcard")
RULE_FIELDS = ("term_months", "mode", "markup", *PRICE_FIELDS)
MODES = ("fixed", "markup")

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
        Column("enabled", "web.console_settings.products.on_sale",
               value=lambda row, fmt: fmt._(
                   "web.console_settings.products.on_sale_yes" if row["enabled"]
                   else "web.console_settings.products.on_sale_no")),
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
        form = {k: str(data.get(k, "")).strip() for k in RULE_FIELDS}
        form["mode"] = form["mode"] or "fixed"
        try:
            await _save_rule(me, product_id, form, formatter(request, me.ctx)._)
        except NotFound:
            return not_found(request)
        except ValidationFailed as exc:
            return await _product(request, me, product_id, by_field(exc.errors), form)
        return redirect(f"{PATH}/{product_id}?notice=saved")

    @post("/{product_id:int}/on-sale")
    async def on_sale(
        self, request: Request[Any, Any, Any], product_id: FromPath[int]
    ) -> Response[Any]:
        me = await staff(request, Permission.CATALOG_MANAGE)
        if not isinstance(me, SignedInStaff):
            return me
        enabled = (await request.form()).get("enabled", "") == "1"
        try:
            await set_product_enabled(me.ctx, product_id, enabled)
        except NotFound:
            return not_found(request)
        return redirect(f"{PATH}/{product_id}?notice={'on_sale' if enabled else 'off_sale'}")

    @post("/{product_id:int}/payment-methods")
    async def payment_methods(
        self, request: Request[Any, Any, Any], product_id: FromPath[int]
    ) -> Response[Any]:
        me = await staff(request, Permission.CATALOG_MANAGE)
        if not isinstance(me, SignedInStaff):
            return me
        data = await request.form()
        chosen = [str(m) for m in data.getall("methods", [])] if hasattr(data, "getall") else []
        methods = None if data.get("scope", "") == "all" else chosen
        try:
            await set_product_methods(me.ctx, product_id, methods, _methods(request))
        except NotFound:
            return not_found(request)
        except ValidationFailed as exc:
            first = exc.errors[0]
            errors = {
                "payment_methods": FieldError("payment_methods", first.message_id, first.params)
            }
            return await _product(request, me, product_id, errors, chosen_methods=chosen)
        return redirect(f"{PATH}/{product_id}?notice=saved")

    @get("/catalogue")
    async def catalogue(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await staff(request, Permission.CATALOG_MANAGE)
        if not isinstance(me, SignedInStaff):
            return me
        return await _catalogue(request, me)

    @post("/catalogue")
    async def add(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await staff(request, Permission.CATALOG_MANAGE)
        if not isinstance(me, SignedInStaff):
            return me
        data = await request.form()
        account, code = str(data.get("account", "")), str(data.get("code", ""))
        offers = await _offers(request, me)
        found = [o for o in offers if str(o["account_id"]) == account and o["spec"].code == code]
        if not found:
            errors = {"code": FieldError("code", "web.console_settings.catalogue.unknown")}
            return await _catalogue(request, me, errors, offers)
        offer = found[0]
        product = await save_product(
            me.ctx, offer["account_id"], offer["provider_code"], offer["spec"],
            wholesale_name=offer["spec"].extra.get("wholesale_name", ""),
            enabled=data.get("enabled", "") == "1",
        )  # fmt: skip
        return redirect(f"{PATH}/{product.id}?notice=product_added")


def _methods(request: Request[Any, Any, Any]) -> TenantPaymentMethods:
    return TenantPaymentMethods(web_state(request).registry)


PRICE_LABELS = {
    "base": "web.console_settings.products.base",
    "per_additional_fqdn": "web.console_settings.products.per_fqdn",
    "per_wildcard": "web.console_settings.products.per_wildcard",
}


async def _save_rule(me: SignedInStaff, product_id: int, form: dict[str, str], label: Any) -> None:
    """One term's own rule from the form: a markup in percent, or a fixed price."""
    errors: list[FieldError] = []
    if form["mode"] not in MODES:
        errors.append(FieldError("mode", "web.console_settings.choice_invalid"))
    if not form["term_months"].isdigit():
        errors.append(FieldError("term_months", "web.console_settings.choice_invalid"))
    prices: dict[str, int] = {}
    markup_bp = 0
    if form["mode"] == "markup":
        try:
            typed = unicodedata.normalize("NFKC", form["markup"])
            number = Decimal(typed.replace("%", "").strip())
            if number != number.quantize(Decimal("0.01")) or number < 0:
                raise InvalidOperation
            markup_bp = int(number * 100)
        except (InvalidOperation, ValueError):
            errors.append(FieldError("markup", "web.console_settings.products.markup_invalid"))
    else:
        if not form["base"]:
            errors.append(FieldError("base", "web.console_settings.products.base_required"))
        for name in PRICE_FIELDS:
            try:
                prices[name] = (
                    parse_yen(form[name], name, label(PRICE_LABELS[name])) if form[name] else 0
                )
            except ValidationFailed as exc:
                errors.extend(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    months = int(form["term_months"])
    if form["mode"] == "markup":
        await set_retail_markup(me.ctx, product_id, months, markup_bp)
    else:
        await set_retail_price(me.ctx, product_id, months, Price(**prices))


async def _offers(request: Request[Any, Any, Any], me: SignedInStaff) -> list[dict[str, Any]]:
    """What each enabled provider account of the tenant sells (``Provider.products()``)."""
    state = web_state(request)
    rows = await scoped(ProviderAccount, me.ctx).select(
        ProviderAccount.id, ProviderAccount.plugin_code
    ).where(
        (ProviderAccount.kind == PluginKind.PROVIDER.value)
        & (ProviderAccount.enabled == True)  # noqa: E712 - a SQL comparison
    )  # fmt: skip
    offers = []
    for row in rows:
        cls = state.registry.providers.get(row["plugin_code"])
        if cls is None:
            continue
        account = await plugin_account(
            me.ctx, Keyring.from_settings(state.settings), PluginKind.PROVIDER.value,
            row["plugin_code"], state.settings.secret_key, state.settings.public_url,
            state.egress,
        )  # fmt: skip
        for spec in await cls(account).products(me.ctx, account.config):
            offers.append(
                {"account_id": row["id"], "provider_code": row["plugin_code"], "spec": spec}
            )
    return offers


async def _catalogue(
    request: Request[Any, Any, Any],
    me: SignedInStaff,
    errors: dict[str, FieldError] | None = None,
    offers: list[dict[str, Any]] | None = None,
) -> Response[Any]:
    offers = offers if offers is not None else await _offers(request, me)
    language = formatter(request, me.ctx).language
    existing = {(p.provider_account_id, p.code): p.id for p in await list_products(me.ctx)}
    shown = [
        {**offer, "name": offer["spec"].name_ja if language == "ja" else offer["spec"].name_en,
         "product_id": existing.get((offer["account_id"], offer["spec"].code))}
        for offer in offers
    ]  # fmt: skip
    return page(
        request, me, "pages/console/settings/catalogue.html",
        status=400 if errors else 200, section="products", offers=shown, errors=errors or {},
    )  # fmt: skip


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
    chosen_methods: list[str] | None = None,
) -> Response[Any]:
    try:
        product = await get_product(me.ctx, product_id)
    except NotFound:
        return not_found(request)
    fmt = formatter(request, me.ctx)
    rules = await retail_rules(me.ctx, product_id)
    terms = []
    for months in product.terms_months:
        wholesale = await wholesale_price(me.ctx, product, months)
        try:
            retail: Price | None = await resolve_price(me.ctx, product, months, for_sale=False)
        except ValidationFailed:
            retail = None
        rule = rules.get(months)
        terms.append(
            {"months": months, "wholesale": _price_text(wholesale, fmt.yen),
             "retail": _price_text(retail, fmt.yen),
             "rule": "markup" if rule and rule.markup_bp is not None
             else "fixed" if rule else "tenant",
             "markup": _percent(rule.markup_bp) if rule and rule.markup_bp is not None else ""}
        )  # fmt: skip
    methods = await product_methods(me.ctx, product_id, _methods(request))
    chosen = chosen_methods if chosen_methods is not None else list(methods.methods)
    first = str(product.terms_months[0]) if product.terms_months else ""
    return page(
        request, me, "pages/console/settings/product.html",
        status=400 if errors else 200, section="products", product=product,
        name=product.name(fmt.language), terms=terms, errors=errors or {},
        form=form or {"term_months": first, "mode": "fixed", "markup": "", "base": "",
                      "per_additional_fqdn": "", "per_wildcard": ""},
        methods={"enabled": methods.enabled, "chosen": chosen, "narrowed": methods.narrowed},
    )  # fmt: skip


def _percent(basis_points: int) -> str:
    """Basis points as the percentage a person typed: 2000 → "20", 1250 → "12.5"."""
    whole, cents = divmod(basis_points, 100)
    return f"{whole}.{cents:02d}".rstrip("0").rstrip(".") if cents else str(whole)


def _price_text(price: Price | None, yen: Any) -> dict[str, str] | None:
    if price is None:
        return None
    return {name: yen(getattr(price, name)) for name in PRICE_FIELDS}
