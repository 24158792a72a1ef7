"""Wholesale price tables (Price Table / 価格表) of a tenant's provider contract, imported by an
operator: the prices are agreed with the provider, so tenants see them read-only and only
operators (``core.catalog.wholesale.IMPORTERS``) import the CSV (``import_price_table``: all
rows or none, the same file twice changes nothing). Audited in the tenant's log."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath

from core.catalog.wholesale import import_price_table, list_price_tables
from core.context import Context, tenant_scope
from core.errors import FieldError, ValidationFailed
from tenants.audit import audit
from tenants.onboarding import tenant_ref
from tenants.tables import ProviderAccount, Tenant
from web.controllers.auth import redirect, web_state
from web.operator.session import SignedInOperator, signed_in_operator
from web.operator.tenants import moment
from web.pages import render, translator
from web.sessions import Area

MAX_BYTES = 2 * 1024 * 1024


async def _page(
    request: Request[Any, Any, Any],
    me: SignedInOperator,
    ctx: Context,
    name: str,
    errors: dict[str, FieldError] | None = None,
    form: dict[str, str] | None = None,
) -> Response[Any]:
    accounts = await ProviderAccount.select(ProviderAccount.id, ProviderAccount.plugin_code).where(
        (ProviderAccount.tenant == ctx.tenant.id) & (ProviderAccount.kind == "provider")
    )
    language = translator(request).language
    tables = [
        {"view": t, "end": t.contract_end.isoformat(), "products": len(t.products)}
        for t in await list_price_tables(ctx)
    ]
    return render(
        request, "pages/operator/price_table.html", status=400 if errors else 200,
        area=Area.OPERATOR.value, section="tenants", person=me.person, tenant_id=ctx.tenant.id,
        tenant_name_shown=name, accounts=accounts, tables=tables, errors=errors or {},
        form=form or {"provider_account_id": "", "contract_end": ""},
        now=moment(ctx.clock.now(), language), notice=request.query_params.get("notice", ""),
    )  # fmt: skip


async def _context(
    request: Request[Any, Any, Any], me: SignedInOperator, tenant_id: int
) -> tuple[Context, str] | None:
    row = await Tenant.objects().where(Tenant.id == tenant_id).first()
    if row is None:
        return None
    return Context(tenant_ref(row), me.actor, web_state(request).clock), row.name


def _not_found(request: Request[Any, Any, Any]) -> Response[str]:
    return render(request, "pages/auth/message.html", status=404, kind="operator.not_found")


class PriceTableController(Controller):
    path = "/operator/tenants/{tenant_id:int}/price-table"
    include_in_schema = False

    @get("/")
    async def show(
        self, request: Request[Any, Any, Any], tenant_id: FromPath[int]
    ) -> Response[Any]:
        me = await signed_in_operator(request)
        if not isinstance(me, SignedInOperator):
            return me
        found = await _context(request, me, tenant_id)
        if found is None:
            return _not_found(request)
        ctx, name = found
        with tenant_scope(ctx.tenant):
            return await _page(request, me, ctx, name)

    @post("/")
    async def upload(
        self, request: Request[Any, Any, Any], tenant_id: FromPath[int]
    ) -> Response[Any]:
        me = await signed_in_operator(request)
        if not isinstance(me, SignedInOperator):
            return me
        found = await _context(request, me, tenant_id)
        if found is None:
            return _not_found(request)
        ctx, name = found
        data = await request.form()
        form = {k: str(data.get(k, "")) for k in ("provider_account_id", "contract_end")}
        upload = data.get("file")
        content = await upload.read() if isinstance(upload, UploadFile) else b""
        errors: dict[str, FieldError] = {}
        with tenant_scope(ctx.tenant):
            accounts = {
                r["id"]
                for r in await ProviderAccount.select(ProviderAccount.id).where(
                    ProviderAccount.tenant == ctx.tenant.id
                )
            }
            account = form["provider_account_id"]
            if not account.isdigit() or int(account) not in accounts:
                errors["provider_account_id"] = FieldError(
                    "provider_account_id", "web.operator.price_table.account_required"
                )
            try:
                end = date.fromisoformat(form["contract_end"])
            except ValueError:
                errors["contract_end"] = FieldError("contract_end", "web.operator.date_invalid")
            if not content:
                errors["file"] = FieldError("file", "web.operator.price_table.file_required")
            elif len(content) > MAX_BYTES:
                errors["file"] = FieldError("file", "web.operator.price_table.file_too_big")
            if not errors:
                try:
                    result = await import_price_table(ctx, int(account), end, content)
                except ValidationFailed as exc:
                    errors = {f"{e.field}:{n}": e for n, e in enumerate(exc.errors)}
                else:
                    await audit(
                        ctx, "catalog.price_table.imported", "provider_account", account,
                        {"rows": result.rows, "changed": result.changed},
                    )  # fmt: skip
                    notice = "price_table_imported" if result.changed else "price_table_same"
                    return redirect(f"/operator/tenants/{tenant_id}/price-table?notice={notice}")
            return await _page(request, me, ctx, name, errors, form)
