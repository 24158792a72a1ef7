"""The operator's page of a tenant's DigiCert contract (覚書), on the base domain:
``/operator/tenants/{tenant_id}/digicert/contract``, mounted through ``register_routes``.

One form sets what ``plugins.digicert.contracts.set_contract`` keeps (contract type, payment
term such as NET30EOM, account balance, DigiCert as the issuer of the tenant's invoices with
its bank account) and, with a CSV file, the contract's price table with its end date
(``core.catalog.wholesale.import_price_table``). Everything is checked locally before anything
is stored: the CSV is parsed first, the contract refuses an issuer whose registration number
is not valid; a refusal names the field in the operator's language. The price table in force
is shown below the form, per product and term. The contract belongs to the tenant's
``digicert`` provider account: until the tenant has entered one, the page says so.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from litestar import Controller, Request, Response, Router, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath

from core.billing.models import BankAccount, Issuer
from core.billing.terms import PaymentTerm
from core.catalog.price_csv import parse_price_table
from core.catalog.wholesale import import_price_table
from core.context import Context, tenant_scope
from core.errors import FieldError, ValidationFailed
from core.i18n import format_yen
from core.money import parse_yen
from plugins.digicert.console_pages import template
from plugins.digicert.contracts import CONTRACT_TYPES, get_contract, price_table, set_contract
from plugins.digicert.upstream import PROVIDER_CODE
from tenants.audit import audit
from tenants.onboarding import tenant_ref
from tenants.tables import ProviderAccount, Tenant
from web.controllers.auth import by_field, redirect, web_state
from web.hosts import operator_host_middleware
from web.operator.session import SignedInOperator, signed_in_operator
from web.operator.tenants import TENANT_PAGE
from web.pages import render, translator
from web.sessions import Area

PATH = "/operator/tenants/{tenant_id:int}/digicert/contract"
MAX_BYTES = 2 * 1024 * 1024
ISSUER_FIELDS = ("name", "registration_number", "postal_code", "address", "phone", "email")
BANK_FIELDS = (
    "bank_name", "branch_name", "branch_code", "account_type", "account_number", "account_holder",
)  # fmt: skip
ACCOUNT_TYPES = ("普通", "当座")
FORM_FIELDS = (
    "contract_type", "payment_term", "account_balance", "effective_on", "minimum_purchase",
    "contract_end",
    *(f"issuer.{name}" for name in ISSUER_FIELDS),
    *(f"bank_account.{name}" for name in BANK_FIELDS),
)  # fmt: skip


def _blank() -> dict[str, str]:
    form = dict.fromkeys(FORM_FIELDS, "")
    form.update(contract_type="pay_as_you_go", payment_term=PaymentTerm.NET30EOM.value)
    form.update({"account_balance": "0", "bank_account.account_type": ACCOUNT_TYPES[0]})
    form.update(effective_on="", minimum_purchase="")
    return form


async def _stored_form(ctx: Context) -> dict[str, str]:
    try:
        contract = await get_contract(ctx)
    except ValidationFailed:
        return _blank()
    form = _blank()
    form.update(contract_type=contract.contract_type, payment_term=contract.payment_term)
    form["account_balance"] = str(contract.account_balance)
    form["effective_on"] = contract.effective_on.isoformat() if contract.effective_on else ""
    form["minimum_purchase"] = str(contract.minimum_purchase or "")
    form.update({f"issuer.{k}": str(v) for k, v in asdict(contract.issuer).items()})
    form.update({f"bank_account.{k}": str(v) for k, v in asdict(contract.bank_account).items()})
    table = await price_table(ctx)
    if table is not None:
        form["contract_end"] = table.contract_end.isoformat()
    return form


async def _account_id(ctx: Context) -> int | None:
    row = await (
        ProviderAccount.select(ProviderAccount.id)
        .where(
            (ProviderAccount.tenant == ctx.tenant.id)
            & (ProviderAccount.kind == "provider")
            & (ProviderAccount.plugin_code == PROVIDER_CODE)
        )
        .first()
    )
    return row["id"] if row else None


async def _table_rows(ctx: Context, language: str) -> list[dict[str, Any]]:
    try:
        table = await price_table(ctx)
    except ValidationFailed:
        return []
    if table is None:
        return []
    yen = lambda amount: format_yen(amount, language) if amount is not None else "-"  # noqa: E731
    return [
        {"product": product.product_name, "code": product.product_code,
         "months": term.term_months, "base": yen(term.offered_price),
         "fqdn": yen(term.per_additional_fqdn), "wildcard": yen(term.per_wildcard)}
        for product in table.products
        for term in product.terms
    ]  # fmt: skip


async def _page(
    request: Request[Any, Any, Any],
    me: SignedInOperator,
    ctx: Context,
    name: str,
    form: dict[str, str] | None = None,
    errors: dict[str, FieldError] | None = None,
) -> Response[Any]:
    language = translator(request).language
    account_id = await _account_id(ctx)
    stored = await _stored_form(ctx) if account_id is not None else _blank()
    has_table = bool(stored["contract_end"])
    return render(
        request, template(request, "digicert/operator/contract.html"),
        status=400 if errors else 200, area=Area.OPERATOR.value, section="tenants",
        person=me.person, tenant_id=ctx.tenant.id, tenant_name_shown=name,
        account_id=account_id, form=form or stored, errors=errors or {},
        contract_types=[c.value for c in CONTRACT_TYPES], payment_terms=list(PaymentTerm),
        account_types=ACCOUNT_TYPES, rows=await _table_rows(ctx, language),
        has_table=has_table, notice=request.query_params.get("notice", ""),
        fields=FORM_FIELDS,
    )  # fmt: skip


async def _context(
    request: Request[Any, Any, Any], me: SignedInOperator, tenant_id: int
) -> tuple[Context, str] | None:
    row = await Tenant.objects().where(Tenant.id == tenant_id).first()
    if row is None:
        return None
    return Context(tenant_ref(row), me.actor, web_state(request).clock), row.name


def _read(form: dict[str, str], content: bytes, has_table: bool, label: Any) -> tuple[Any, ...]:
    """The typed values of the form, or ValidationFailed naming every bad field."""
    errors: list[FieldError] = []
    balance = 0
    try:
        named = label("digicert.contract_page.account_balance")
        balance = parse_yen(form["account_balance"] or "0", "account_balance", named)
    except ValidationFailed as exc:
        errors.extend(exc.errors)
    terms = _bulk_terms(form, label, errors)
    end: date | None = None
    if content or not has_table:
        try:
            end = date.fromisoformat(form["contract_end"])
        except ValueError:
            errors.append(FieldError("contract_end", "digicert.contract_page.date_invalid"))
    if not content and not has_table:
        errors.append(FieldError("file", "digicert.contract_page.file_required"))
    elif len(content) > MAX_BYTES:
        errors.append(FieldError("file", "digicert.contract_page.file_too_big"))
    elif content:
        try:
            parse_price_table(content)
        except ValidationFailed as exc:
            errors.extend(FieldError("file", e.message_id, e.params) for e in exc.errors)
    if form["bank_account.account_type"] not in ACCOUNT_TYPES:
        errors.append(FieldError("bank_account.account_type", "digicert.contract_page.choice"))
    if errors:
        raise ValidationFailed(errors)
    issuer = Issuer(**{name: form[f"issuer.{name}"] for name in ISSUER_FIELDS})
    bank = BankAccount(**{name: form[f"bank_account.{name}"] for name in BANK_FIELDS})
    return balance, end, issuer, bank, terms


def _bulk_terms(form: dict[str, str], label: Any, errors: list[FieldError]) -> dict[str, Any]:
    """A bulk contract's (一括購入) effective date and minimum purchase, as typed; whether a
    bulk contract has them is ``set_contract``'s rule (it names the missing one)."""
    terms: dict[str, Any] = {"effective_on": None, "minimum_purchase": 0}
    if form["effective_on"]:
        try:
            terms["effective_on"] = date.fromisoformat(form["effective_on"])
        except ValueError:
            errors.append(FieldError("effective_on", "digicert.contract_page.date_invalid"))
    if form["minimum_purchase"]:
        try:
            named = label("digicert.contract_page.minimum_purchase")
            terms["minimum_purchase"] = parse_yen(
                form["minimum_purchase"], "minimum_purchase", named
            )
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    return terms


class ContractPage(Controller):
    """The tenant's DigiCert contract, set by an operator."""

    path = PATH
    include_in_schema = False

    @get("/", opt={TENANT_PAGE: "digicert.contract_page.title"})
    async def show(
        self, request: Request[Any, Any, Any], tenant_id: FromPath[int]
    ) -> Response[Any]:
        me = await signed_in_operator(request)
        if not isinstance(me, SignedInOperator):
            return me
        found = await _context(request, me, tenant_id)
        if found is None:
            return render(request, "pages/auth/message.html", status=404, kind="operator.not_found")
        ctx, name = found
        with tenant_scope(ctx.tenant):
            return await _page(request, me, ctx, name)

    @post("/")
    async def save(
        self, request: Request[Any, Any, Any], tenant_id: FromPath[int]
    ) -> Response[Any]:
        me = await signed_in_operator(request)
        if not isinstance(me, SignedInOperator):
            return me
        found = await _context(request, me, tenant_id)
        if found is None:
            return render(request, "pages/auth/message.html", status=404, kind="operator.not_found")
        ctx, name = found
        data = await request.form()
        form = {k: str(data.get(k, "")).strip() for k in FORM_FIELDS}
        upload = data.get("file")
        content = await upload.read() if isinstance(upload, UploadFile) else b""
        with tenant_scope(ctx.tenant):
            account_id = await _account_id(ctx)
            if account_id is None:
                return await _page(request, me, ctx, name)
            has_table = bool((await _stored_form(ctx))["contract_end"])
            try:
                balance, end, issuer, bank, terms = _read(
                    form, content, has_table, translator(request)
                )
                await set_contract(
                    ctx, account_id, form["contract_type"], issuer, bank,
                    form["payment_term"], balance, **terms,
                )  # fmt: skip
                if content and end is not None:
                    await import_price_table(ctx, account_id, end, content)
            except ValidationFailed as exc:
                return await _page(request, me, ctx, name, form, by_field(exc.errors))
            await audit(
                ctx, "digicert.contract.set", "provider_account", account_id,
                {"contract_type": form["contract_type"], "payment_term": form["payment_term"],
                 "price_table": bool(content)},
            )  # fmt: skip
        return redirect(f"/operator/tenants/{tenant_id}/digicert/contract?notice=saved")


def contract_router() -> Router:
    return Router(path="/", route_handlers=[ContractPage], middleware=[operator_host_middleware])
