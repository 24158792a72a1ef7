"""Voucher pages of the tenant console (バウチャーコード) and the operator's delegated
delivery (代行納品), mounted through ``register_routes``.

Console (tenant host, ``/console/vouchers``): the list of voucher orders (status and date
filters), the three CSV exports of the seed, the new-order form with its transaction summary
(取引概要: total, balance before and after), an order's codes, PDF download in Japanese or
English (all codes, or one), cancel (whole order, within 30 days) and reissue of one code.
Seeing needs ``orders.view``; generating, cancelling and reissuing need ``vouchers.manage``.

Operator (base domain, ``/operator/tenants/{tenant_id}/vouchers/new``): the same form, acting
inside a tenant that consented (``tenants.delegation``); the order and its audit entry carry
``on_behalf_of``. Every id is looked up within the request's tenant: another tenant's id is
the console's 404 page.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, Request, Response, Router, get, post
from litestar.params import FromPath

from core.catalog.products import list_products
from core.context import Context, tenant_scope
from core.errors import FieldError, NotFound, ValidationFailed
from core.i18n import format_yen
from plugins.digicert import exports
from plugins.digicert.console_form import VoucherForm, blank_line, form_errors, parse_form
from plugins.digicert.console_pages import product_names, template, voucher_pdf
from plugins.digicert.contracts import get_contract
from plugins.digicert.errors import CertCentralError
from plugins.digicert.tables import DcVoucherOrder
from plugins.digicert.upstream import tenant_client
from plugins.digicert.views import get_code, get_voucher_order
from plugins.digicert.vouchers import (
    PAYMENT_METHODS,
    cancel_voucher_order,
    place_voucher_order,
    quote_voucher_order,
    reissue_code,
)
from tenants.credentials import Keyring
from tenants.delegation import delegated_context
from tenants.roles import Permission
from web.console.access import SignedInStaff, not_found, staff
from web.console.confirm import Confirmation, confirm_page, confirmed
from web.console.listing import Column, Filter, ListSpec, formatter, list_response
from web.console.pages import page
from web.controllers.auth import client_ip, redirect, web_state
from web.hosts import operator_host_middleware, tenant_host_middleware
from web.operator.session import SignedInOperator, signed_in_operator
from web.operator.tenants import DELEGATED_ACTION
from web.pages import render, translator
from web.sessions import Area

BASE = "/console/vouchers"
ORDER_STATUSES = ("pending", "completed", "cancelled", "failed")

VOUCHER_ORDERS = ListSpec(
    name="voucher-orders",
    table=DcVoucherOrder,
    columns=(
        Column(
            "id", "digicert.console.order.id", sortable=True,
            value=lambda row, fmt: str(row["upstream_id"] or row["id"]),
            link=lambda row: f"{BASE}/{row['id']}",
        ),
        Column("created_at", "digicert.console.order.created", kind="datetime", sortable=True),
        Column("status", "digicert.console.order.status", kind="label",
               label_prefix="digicert.console.status."),
        Column("customer_name", "digicert.console.order.customer"),
        Column("total", "digicert.console.order.total", kind="yen", sortable=True),
    ),
    filters=(
        Filter.choice("status", DcVoucherOrder.status, "digicert.console.order.status",
                      [(s, f"digicert.console.status.{s}") for s in ORDER_STATUSES]),
        Filter.date_from("from", DcVoucherOrder.created_at, "digicert.console.filter.from"),
        Filter.date_to("to", DcVoucherOrder.created_at, "digicert.console.filter.to"),
    ),
    default_sort="-created_at",
)  # fmt: skip


async def _client(request: Request[Any, Any, Any], ctx: Context) -> Any:
    settings = web_state(request).settings
    return await tenant_client(
        ctx,
        Keyring.from_settings(settings),
        settings.secret_key,
        settings.public_url,
        web_state(request).egress,
    )


def _csv(content: bytes, filename: str) -> Response[bytes]:
    return Response(
        content,
        media_type="text/csv",  # Litestar adds the charset
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _upstream_error(exc: CertCentralError) -> FieldError:
    detail = "; ".join(e.message for e in exc.errors) or str(exc.status)
    return FieldError("upstream", "digicert.upstream.refused", {"detail": detail})


async def _form_context(
    request: Request[Any, Any, Any], ctx: Context, form: VoucherForm, check: bool
) -> dict[str, Any]:
    """Products, the transaction summary and (when ``check``) the refusals of the form."""
    language = translator(request).language
    errors: dict[str, FieldError] = {}
    summary: dict[str, Any] | None = None
    products: list[Any] = []
    try:
        contract = await get_contract(ctx)
    except ValidationFailed as exc:
        return {"form": form, "products": [], "totals": None, "errors": form_errors(exc.errors),
                "balance": None, "payment_methods": PAYMENT_METHODS}  # fmt: skip
    products = [
        {"code": p.code, "name": p.name(language)}
        for p in await list_products(ctx, contract.provider_account_id)
    ]
    try:
        summary = await quote_voucher_order(ctx, form.request())
    except ValidationFailed as exc:
        if check:
            errors = form_errors(exc.errors)
    if summary is not None:
        summary = {
            **summary,
            "lines": [
                {**line, "name": line["name_ja"] if language == "ja" else line["name_en"],
                 "amount_text": format_yen(line["amount"], language)}
                for line in summary["lines"]
            ],
            "total_text": format_yen(summary["total"], language),
            "before_text": format_yen(summary["balance_before"], language),
            "after_text": format_yen(summary["balance_after"], language),
        }  # fmt: skip
    return {
        "form": form,
        "products": products,
        "totals": summary,
        "errors": errors,
        "balance": format_yen(contract.account_balance, language),
        "payment_methods": PAYMENT_METHODS,
    }


async def _submit(
    request: Request[Any, Any, Any], ctx: Context, form: VoucherForm, action: str
) -> tuple[int | None, dict[str, Any]]:
    """Add or remove a line, recalculate, or place the order; the new order's id, if placed."""
    if action == "add_line" and len(form.lines) < 20:
        form.lines.append(blank_line(form.lines[-1]["product"] if form.lines else ""))
    elif action.startswith("remove_line_") and len(form.lines) > 1:
        index = action.removeprefix("remove_line_")
        if index.isdigit() and int(index) < len(form.lines):
            form.lines.pop(int(index))
    elif action == "place":
        try:
            async with await _client(request, ctx) as api:
                order = await place_voucher_order(
                    ctx.with_key(f"console:{form.form_key}"), api, form.request()
                )
            return order.id, {}
        except ValidationFailed as exc:
            context = await _form_context(request, ctx, form, check=False)
            return None, {**context, "errors": form_errors(exc.errors)}
        except CertCentralError as exc:
            context = await _form_context(request, ctx, form, check=False)
            return None, {**context, "errors": {"upstream": _upstream_error(exc)}}
    return None, await _form_context(request, ctx, form, check=action == "quote")


def _status(context: dict[str, Any]) -> int:
    return 400 if context["errors"] else 200


class VoucherPages(Controller):
    path = BASE
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await staff(request, Permission.ORDERS_VIEW)
        if not isinstance(me, SignedInStaff):
            return me
        return await list_response(
            request, VOUCHER_ORDERS, me.ctx,
            lambda listing: page(
                request, me, template(request, "digicert/console/orders.html"),
                section="vouchers", listing=listing,
                may_manage=me.may(Permission.VOUCHERS_MANAGE),
            ),
        )  # fmt: skip

    @get("/orders.csv")
    async def orders_csv(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await staff(request, Permission.ORDERS_VIEW)
        if not isinstance(me, SignedInStaff):
            return me
        params = request.query_params
        status = params.get("status", "")
        content = await exports.voucher_orders_csv(
            me.ctx, status if status in ORDER_STATUSES else None,
            _day(params.get("from", "")), _day(params.get("to", "")),
        )  # fmt: skip
        return _csv(content, "voucher-orders.csv")

    @get("/used-codes.csv")
    async def used_codes_csv(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await staff(request, Permission.ORDERS_VIEW)
        if not isinstance(me, SignedInStaff):
            return me
        return _csv(await exports.used_codes_csv(me.ctx), "used-voucher-codes.csv")

    @get("/new")
    async def new(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await staff(request, Permission.VOUCHERS_MANAGE)
        if not isinstance(me, SignedInStaff):
            return me
        context = await _form_context(request, me.ctx, VoucherForm(), check=False)
        return _console_form(request, me, context)

    @post("/new")
    async def create(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await staff(request, Permission.VOUCHERS_MANAGE)
        if not isinstance(me, SignedInStaff):
            return me
        data = dict((await request.form()).items())
        placed, context = await _submit(request, me.ctx, parse_form(data), data.get("action", ""))
        if placed is not None:
            return redirect(f"{BASE}/{placed}?notice=voucher_created")
        return _console_form(request, me, context)

    @get("/{order_id:int}")
    async def show(self, request: Request[Any, Any, Any], order_id: FromPath[int]) -> Response[Any]:
        me = await staff(request, Permission.ORDERS_VIEW)
        if not isinstance(me, SignedInStaff):
            return me
        return await _detail(request, me, order_id)

    @get("/{order_id:int}/codes.csv")
    async def codes_csv(
        self, request: Request[Any, Any, Any], order_id: FromPath[int]
    ) -> Response[Any]:
        me = await staff(request, Permission.ORDERS_VIEW)
        if not isinstance(me, SignedInStaff):
            return me
        try:
            order = await get_voucher_order(me.ctx, order_id)
        except NotFound:
            return not_found(request)
        content = await exports.order_codes_csv(me.ctx, order_id)
        return _csv(content, f"voucher-{order.upstream_id or order.id}.csv")

    @get("/{order_id:int}/pdf")
    async def order_pdf(
        self, request: Request[Any, Any, Any], order_id: FromPath[int]
    ) -> Response[Any]:
        me = await staff(request, Permission.ORDERS_VIEW)
        if not isinstance(me, SignedInStaff):
            return me
        try:
            order = await get_voucher_order(me.ctx, order_id)
        except NotFound:
            return not_found(request)
        codes = [c for c in order.codes if c.status == "active"] or order.codes
        language = translator(request).language
        name = f"vouchers-{order.upstream_id or order.id}-{language}.pdf"
        return await voucher_pdf(me.ctx, codes, language, name)

    @get("/codes/{code_id:int}/pdf")
    async def code_pdf(
        self, request: Request[Any, Any, Any], code_id: FromPath[int]
    ) -> Response[Any]:
        me = await staff(request, Permission.ORDERS_VIEW)
        if not isinstance(me, SignedInStaff):
            return me
        try:
            code = await get_code(me.ctx, code_id)
            order = await get_voucher_order(me.ctx, code["voucher_order_id"])
        except NotFound:
            return not_found(request)
        found = [c for c in order.codes if c.id == code_id]
        if not found:  # a replaced (reissued) code is never shown again
            return not_found(request)
        language = translator(request).language
        name = f"voucher-{found[0].value}-{language}.pdf"
        return await voucher_pdf(me.ctx, found, language, name)

    @post("/{order_id:int}/cancel")
    async def cancel(
        self, request: Request[Any, Any, Any], order_id: FromPath[int]
    ) -> Response[Any]:
        me = await staff(request, Permission.VOUCHERS_MANAGE)
        if not isinstance(me, SignedInStaff):
            return me
        try:
            order = await get_voucher_order(me.ctx, order_id)
        except NotFound:
            return not_found(request)
        form = await request.form()
        reason = form.get("reason", "")
        if not confirmed(form):
            return confirm_page(
                request,
                me,
                Confirmation(
                    section="vouchers",
                    what="web.console.confirm.voucher_cancel",
                    params={"number": order.upstream_id or order.id},
                    action=f"{BASE}/{order_id}/cancel",
                    back=f"{BASE}/{order_id}",
                    button="digicert.console.cancel.submit",
                    fields={"reason": reason if isinstance(reason, str) else ""},
                ),
            )
        try:
            async with await _client(request, me.ctx) as api:
                await cancel_voucher_order(me.ctx, api, order_id, reason)
        except ValidationFailed as exc:
            return await _detail(request, me, order_id, form_errors(exc.errors))
        except CertCentralError as exc:
            return await _detail(request, me, order_id, {"upstream": _upstream_error(exc)})
        return redirect(f"{BASE}/{order_id}?notice=voucher_cancelled")

    @post("/codes/{code_id:int}/reissue")
    async def reissue(
        self, request: Request[Any, Any, Any], code_id: FromPath[int]
    ) -> Response[Any]:
        me = await staff(request, Permission.VOUCHERS_MANAGE)
        if not isinstance(me, SignedInStaff):
            return me
        try:
            code = await get_code(me.ctx, code_id)
        except NotFound:
            return not_found(request)
        order_id = code["voucher_order_id"]
        if not confirmed(await request.form()):
            return confirm_page(
                request,
                me,
                Confirmation(
                    section="vouchers",
                    what="web.console.confirm.voucher_reissue",
                    params={"code": code["value"]},
                    action=f"{BASE}/codes/{code_id}/reissue",
                    back=f"{BASE}/{order_id}",
                    button="digicert.console.code.reissue",
                ),
            )
        try:
            async with await _client(request, me.ctx) as api:
                await reissue_code(me.ctx, api, code_id)
        except ValidationFailed as exc:
            return await _detail(request, me, order_id, form_errors(exc.errors))
        except CertCentralError as exc:
            return await _detail(request, me, order_id, {"upstream": _upstream_error(exc)})
        return redirect(f"{BASE}/{order_id}?notice=voucher_reissued")


def _console_form(
    request: Request[Any, Any, Any], me: SignedInStaff, context: dict[str, Any]
) -> Response[Any]:
    return page(
        request, me, template(request, "digicert/console/new.html"),
        status=_status(context), section="vouchers", layout="pages/console/layout.html",
        action=f"{BASE}/new", back=BASE, **context,
    )  # fmt: skip


async def _detail(
    request: Request[Any, Any, Any],
    me: SignedInStaff,
    order_id: int,
    errors: dict[str, FieldError] | None = None,
) -> Response[Any]:
    try:
        order = await get_voucher_order(me.ctx, order_id)
    except NotFound:
        return not_found(request)
    fmt = formatter(request, me.ctx)
    names = await product_names(me.ctx, fmt.language)
    return page(
        request, me, template(request, "digicert/console/order.html"),
        status=400 if errors else 200, section="vouchers", order=order,
        created=fmt.moment(order.created_at), total=fmt.yen(order.total),
        codes=[
            {"view": c, "product": names.get(c.product_name_id, c.product_name),
             "redeem_by": fmt.day(c.redeem_by)}
            for c in order.codes
        ],
        errors=errors or {}, may_manage=me.may(Permission.VOUCHERS_MANAGE),
    )  # fmt: skip


class DelegatedVoucherPages(Controller):
    """An operator generating vouchers inside a tenant that consented (代行納品)."""

    path = "/operator/tenants/{tenant_id:int}/vouchers"
    include_in_schema = False

    @get("/new", opt={DELEGATED_ACTION: "digicert.console.delegated.new"})
    async def new(self, request: Request[Any, Any, Any], tenant_id: FromPath[int]) -> Response[Any]:
        return await _delegated(request, tenant_id, None)

    @post("/new")
    async def create(
        self, request: Request[Any, Any, Any], tenant_id: FromPath[int]
    ) -> Response[Any]:
        data = dict((await request.form()).items())
        return await _delegated(request, tenant_id, data)


async def _delegated(
    request: Request[Any, Any, Any], tenant_id: int, data: dict[str, str] | None
) -> Response[Any]:
    me = await signed_in_operator(request)
    if not isinstance(me, SignedInOperator):
        return me
    try:
        ctx = await delegated_context(
            tenant_id, me.id, web_state(request).clock, client_ip(request)
        )
    except ValidationFailed:
        return render(request, "pages/auth/message.html", status=404, kind="operator.not_found")
    with tenant_scope(ctx.tenant):
        if data is None:
            context = await _form_context(request, ctx, VoucherForm(), check=False)
        else:
            placed, context = await _submit(request, ctx, parse_form(data), data.get("action", ""))
            if placed is not None:
                return redirect(f"/operator/tenants/{tenant_id}?notice=voucher_delivered")
    return render(
        request, template(request, "digicert/console/new.html"),
        status=_status(context), area=Area.OPERATOR.value, section="tenants",
        person=me.person, layout="pages/operator/layout.html",
        action=f"/operator/tenants/{tenant_id}/vouchers/new",
        back=f"/operator/tenants/{tenant_id}", notice="", **context,
    )  # fmt: skip


def console_routers() -> list[Router]:
    """The console pages on the tenant's host; the delegated pages on the base domain."""
    return [
        Router(
            path="/",
            route_handlers=[VoucherPages],
            middleware=[tenant_host_middleware(allow_inactive=False)],
        ),
        Router(
            path="/",
            route_handlers=[DelegatedVoucherPages],
            middleware=[operator_host_middleware],
        ),
    ]
