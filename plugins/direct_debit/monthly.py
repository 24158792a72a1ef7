"""Monthly invoices of direct-debit monthly plans (月額プラン): one per plan and month, on the 1st.

A monthly plan is an entitlement paid by direct debit (``payment_method = "direct_debit"``),
ACTIVE or ISSUED, that started before the month and has not ended by its first day. Its
invoice is issued on the 1st of the month (``core.billing.timing``: the service month), on
NET30EOM (due the end of the next month), through ``core.billing.invoices.create_invoice``
(gapless per-tenant numbers), once:

- the invoice key is ``direct_debit:plan:{entitlement}:{yyyymm}``, so a retry returns the same
  invoice and takes no number;
- then the mark (job ``direct_debit_monthly_invoice``, the entitlement, step ``yyyymm``) is
  written, and the sweep's query skips marked plans. A crash between the two re-finds the
  invoice by its key.

The job follows the sweep pattern of ``core.schedules.sweep`` and is registered by this plugin
(hook ``register_schedule_jobs``, beat entry ``register_periodic_tasks``). Beat runs it on the
1st to 3rd (catch-up of ``core.schedules.windows.GRACE_DAYS``); the issue date is always the
1st. The fee is the tenant's retail price of the plan's product for one month
(``core.catalog.retail.resolve_price``, or its shortest term), tax-exclusive on the line.
The issuer is the tenant (its registration number), the bank account printed is the tenant's
direct-debit account (the ``direct_debit`` payment account's settings), the recipient the
customer's billing contact (事務担当者). A plan that cannot be invoiced (no product price, no
direct-debit account) is logged and tried again on the next run day of the month.

Each invoice then joins the collection run (``into_run``): the next debit date of the tenant's
direct-debit account counted from the 1st, the customer's mandate in force on it, the invoice's
grand total. When the bank's result is applied (``core.payments.ledger``, payable ``invoice``)
a collected debit marks the invoice paid; a failed one leaves it open.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from core.billing.contact import BillingContact
from core.billing.invoices import create_invoice
from core.billing.models import BankAccount, InvoiceDraft, InvoiceView, Issuer, LineDraft
from core.billing.terms import PaymentTerm
from core.billing.timing import ContractType
from core.catalog.products import get_product
from core.catalog.retail import resolve_price
from core.catalog.tables import Product
from core.context import Context
from core.entitlements.tables import Entitlement
from core.errors import NotFound, ValidationFailed
from core.money import Rounding
from core.payments.ledger import INVOICE_PAYABLE
from core.schedules.marks import mark
from core.schedules.sweep import Batch, next_cursor
from core.schedules.windows import GRACE_DAYS, day_start
from plugins.direct_debit import service
from plugins.direct_debit.adapter import debit_date_for
from tenants.invoice_recipients import invoice_recipient
from tenants.tables import ProviderAccount, Tenant

log = logging.getLogger("shomei.direct_debit")

JOB = "direct_debit_monthly_invoice"
BEAT = {"hour": 6, "minute": 0, "day_of_month": f"1-{GRACE_DAYS}"}


def service_month(today: date) -> date | None:
    """The first day of the month billed today, or None outside the 1st to the grace's end."""
    return today.replace(day=1) if today.day <= GRACE_DAYS else None


class MonthlyPlanInvoices:
    name = JOB
    queue = "billing"
    transactional = False  # create_invoice takes the numbering lock in its own transaction

    def _sql(self, first: date, select: str, extra: str = "") -> tuple[str, list[Any]]:
        sql = (
            f"SELECT {select} FROM entitlements_entitlement e"
            " WHERE e.payment_method = 'direct_debit' AND e.state IN ('active', 'issued')"
            " AND e.issued_at < {} AND (e.expires_at IS NULL OR e.expires_at > {})"
            " AND NOT EXISTS (SELECT 1 FROM schedules_mark m WHERE m.tenant_id = e.tenant_id"
            f" AND m.job = '{JOB}' AND m.subject_id = e.id AND m.step = {{}}){extra}"
        )
        start = day_start(first)
        return sql, [start, start, f"{first:%Y%m}"]

    async def tenants_due(self, today: date) -> list[int]:
        first = service_month(today)
        if first is None:
            return []
        sql, args = self._sql(first, "DISTINCT e.tenant_id")
        rows = await Entitlement.raw(sql + " ORDER BY e.tenant_id", *args).run()
        return [row["tenant_id"] for row in rows]

    async def run_batch(self, ctx: Context, today: date, cursor: int, limit: int) -> Batch:
        first = service_month(today)
        if first is None:
            return Batch(0, 0, None)
        sql, args = self._sql(
            first,
            "e.id, e.customer_id, e.product_code, e.provider_account_id, e.data",
            " AND e.tenant_id = {} AND e.id > {} ORDER BY e.id LIMIT {}",
        )
        rows = await Entitlement.raw(sql, *args, ctx.tenant.id, cursor, limit).run()
        done = 0
        for row in rows:
            done += await self._one(ctx, first, row)
        return Batch(len(rows), done, next_cursor([r["id"] for r in rows], limit))

    async def _one(self, ctx: Context, first: date, row: dict[str, Any]) -> int:
        try:
            draft = await monthly_draft(ctx, first, row)
        except (NotFound, ValidationFailed, LookupError) as exc:
            log.warning(
                "monthly plan not invoiced", extra={"entitlement_id": row["id"], "error": str(exc)}
            )
            return 0
        key = f"direct_debit:plan:{row['id']}:{first:%Y%m}"
        invoice = await create_invoice(ctx.with_key(key), draft)
        collection = await into_run(ctx, first, row["customer_id"], invoice)
        written = await mark(
            ctx, JOB, row["id"], f"{first:%Y%m}", {"invoice_id": invoice.id, **collection}
        )
        return int(written)


async def into_run(
    ctx: Context, first: date, customer_id: int, invoice: InvoiceView
) -> dict[str, Any]:
    """The invoice joins the collection run of its next debit date when the customer has a
    mandate in force then (once: the run's reference is per mandate, month and bill); without
    one it stays open, to be paid by transfer, and the overdue reminders follow it."""
    debit_date = debit_date_for(await _debit_settings(ctx), first)
    found = await service.active_mandate(ctx, customer_id, debit_date)
    if found is None:
        log.warning(
            "monthly invoice not collected: no mandate in force",
            extra={"invoice_id": invoice.id, "customer_id": customer_id},
        )
        return {}
    row = await service.add_to_run(
        ctx,
        found["id"],
        month=f"{debit_date:%Y%m}",
        debit_date=debit_date,
        payable_type=INVOICE_PAYABLE,
        payable_id=invoice.id,
        amount=invoice.grand_total,
    )
    return {"collection": row["reference"]}


async def monthly_draft(ctx: Context, first: date, row: dict[str, Any]) -> InvoiceDraft:
    """The invoice of one plan for the month starting ``first``."""
    tenant = await Tenant.select().where(Tenant.id == ctx.tenant.id).first().run()
    if tenant is None:
        raise LookupError("tenant")
    product_id = await (
        Product.select(Product.id)
        .where(
            (Product.tenant_id == ctx.tenant.id)
            & (Product.code == row["product_code"])
            & (Product.provider_account_id == row["provider_account_id"])
        )
        .first()
        .run()
    )
    if product_id is None:
        raise LookupError(f"product {row['product_code']}")
    product = await get_product(ctx, product_id["id"])
    term = 1 if 1 in product.terms_months else min(product.terms_months)
    price = await resolve_price(ctx, product, term)
    month = f"{first:%Y-%m}"
    line = LineDraft(
        service_code=f"{product.code} {month}",
        item=f"{product.name(ctx.tenant.language)} ({month})",
        quantity=1,
        unit_price=price.base,
    )
    return InvoiceDraft(
        source_type="direct_debit_plan",
        source_id=f"{row['id']}:{first:%Y%m}",
        issuer=Issuer(
            name=tenant["organization_name"] or tenant["name"],
            registration_number=tenant["registration_number"],
            postal_code=tenant["postal_code"],
            address=f"{tenant['prefecture']}{tenant['address']}",
            phone=tenant["phone"],
            email=tenant["contact_email"],
        ),
        bank_account=await _debit_account(ctx),
        recipient=await _recipient(ctx, row["customer_id"]),
        lines=(line,),
        term=PaymentTerm.NET30EOM,
        contract_type=ContractType.MONTHLY_PLAN,
        rounding=Rounding(tenant["tax_rounding"]),
        issue_date=first,
        language=ctx.tenant.language,
    )


async def _debit_settings(ctx: Context) -> dict[str, Any]:
    """The settings of the tenant's enabled direct-debit payment account."""
    row = await (
        ProviderAccount.select(ProviderAccount.settings)
        .where(
            (ProviderAccount.tenant == ctx.tenant.id)
            & (ProviderAccount.kind == "payment")
            & (ProviderAccount.plugin_code == "direct_debit")
            & (ProviderAccount.enabled == True)  # noqa: E712
        )
        .first()
        .output(load_json=True)
        .run()
    )
    if row is None:
        raise LookupError("direct_debit payment account")
    return dict(row["settings"] or {})


async def _debit_account(ctx: Context) -> BankAccount:
    """The tenant's account the debits are collected into (its direct-debit settings)."""
    config = await _debit_settings(ctx)
    return BankAccount(
        bank_name=str(config.get("bank_name_kana", "")),
        branch_name=str(config.get("branch_name_kana", "")),
        account_type="当座" if str(config.get("account_type")) == "2" else "普通",
        account_number=str(config.get("account_number", "")),
        account_holder=str(config.get("consignor_name_kana", "")),
        branch_code=str(config.get("branch_code", "")),
    )


async def _recipient(ctx: Context, customer_id: int | None) -> BillingContact:
    found = None if customer_id is None else await invoice_recipient(ctx, customer_id)
    if found is None:
        raise LookupError(f"customer {customer_id}")
    return found
