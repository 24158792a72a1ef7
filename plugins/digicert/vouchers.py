"""Voucher orders placed by tenant staff: place, cancel (whole order), reissue one code.

Placing is idempotent under the client's key (``ctx.idempotency_key``): the order row is
written first (``pending``), the upstream voucher order is created with a key derived from
our row (``shomei:{tenant}:voucher_order:{id}``, which the client makes idempotent upstream),
the codes are stored as entitlements, the pay-as-you-go invoice is issued through
core.billing under its own derived key, and the delivery mail to the tenant's 事務担当者 is
written to the outbox (``voucher_mail``). A retry with the same key resumes where it stopped
and returns the same order, codes and invoice, and writes no second mail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from core.billing.contact import BillingContact, contact_errors
from core.billing.draft_checks import draft_errors
from core.billing.errors import InvoiceStateError
from core.billing.invoices import actor_label, actor_ref, create_invoice, get_invoice, void_invoice
from core.billing.models import NOT_AVAILABLE, InvoiceDraft, LineDraft
from core.billing.status import InvoiceStatus
from core.billing.terms import PaymentTerm
from core.billing.timing import ContractType, bulk_lapse_day
from core.context import Context
from core.errors import FieldError, ValidationFailed
from core.orders.idempotency import request_digest
from plugins.digicert.client import CertCentralClient
from plugins.digicert.contracts import (
    ContractView,
    adjust_balance,
    get_contract,
    product_by_code,
    voucher_unit_price,
)
from plugins.digicert.models import VoucherCode, VoucherLine, VoucherOrderRequest
from plugins.digicert.tables import DcVoucherCode, DcVoucherOrder
from plugins.digicert.views import (
    CANCEL_DAYS,
    VoucherOrderView,
    cancel_until,
    get_code,
    get_voucher_order,
    order_codes,
    order_row,
)
from plugins.digicert.voucher_mail import announce_delivered
from tenants.audit import audit
from tenants.tables import Tenant

PAYMENT_METHODS = ("balance", "card", "bank_transfer")
LIMITS = {"quantity": (1, 1000), "years": (1, 6), "fqdns": (0, 250), "wildcards": (0, 250)}


@dataclass(frozen=True)
class VoucherLineIn:
    """quantity x product (the upstream ``product_name_id``) x years x FQDNs x wildcards."""

    product: str
    quantity: int = 1
    years: int = 1
    fqdns: int = 1
    wildcards: int = 0


@dataclass(frozen=True)
class VoucherOrderIn:
    payment_method: str
    lines: tuple[VoucherLineIn, ...]
    customer_name: str = ""
    notes: str = ""


def line_errors(line: VoucherLineIn, prefix: str = "") -> list[FieldError]:
    """Quantity 1 to 1000, years 1 to 6, FQDNs and wildcards 0 to 250, at least one name."""
    problems = []
    for name, (low, high) in LIMITS.items():
        value = getattr(line, name)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            problems.append(
                FieldError(
                    f"{prefix}{name}", f"digicert.line.{name}_out_of_range",
                    {"min": low, "max": high},
                )
            )  # fmt: skip
    if not problems and line.fqdns + line.wildcards < 1:
        problems.append(FieldError(f"{prefix}fqdns", "digicert.line.no_names"))
    return problems


def refuse(field: str, message_id: str, **params: object) -> ValidationFailed:
    return ValidationFailed([FieldError(field, message_id, params)])


async def tenant_billing_contact(ctx: Context) -> BillingContact:
    """The tenant as the recipient of the provider's invoices (請求先「事務担当者」)."""
    row = await Tenant.select().where(Tenant.id == ctx.tenant.id).first().run()
    if row is None:  # pragma: no cover - a context always names an existing tenant
        raise refuse("tenant", "digicert.voucher_order.tenant_unknown")
    return BillingContact(
        organization_name=row["organization_name"],
        postal_code=row["postal_code"],
        prefecture=row["prefecture"],
        address=row["address"],
        contact_name=row["contact_name"],
        phone=row["phone"],
        email=row["contact_email"],
    )


async def _priced_lines(
    ctx: Context, contract: ContractView, request: VoucherOrderIn
) -> tuple[list[dict[str, Any]], list[FieldError]]:
    errors: list[FieldError] = []
    if request.payment_method not in PAYMENT_METHODS:
        errors.append(FieldError("payment_method", "digicert.voucher_order.payment_method_invalid"))
    if not request.lines:
        errors.append(FieldError("lines", "digicert.voucher_order.no_lines"))
    priced = []
    for n, line in enumerate(request.lines):
        problems = line_errors(line, f"lines[{n}].")
        product = await product_by_code(ctx, contract.provider_account_id, line.product)
        if product is None:
            problems.append(FieldError(f"lines[{n}].product", "digicert.line.product_unknown"))
        elif not problems:
            unit = await voucher_unit_price(ctx, product, line.years, line.fqdns, line.wildcards)
            if unit is None:
                problems.append(FieldError(f"lines[{n}].product", "digicert.line.no_price"))
            else:
                priced.append(
                    {"product": line.product, "name_ja": product.name_ja,
                     "name_en": product.name_en, "quantity": line.quantity, "years": line.years,
                     "fqdns": line.fqdns, "wildcards": line.wildcards, "unit_price": unit,
                     "amount": unit * line.quantity}
                )  # fmt: skip
        errors.extend(problems)
    return priced, errors


async def quote_voucher_order(ctx: Context, request: VoucherOrderIn) -> dict[str, Any]:
    """The transaction summary (取引概要): lines, total, balance before and after."""
    contract = await get_contract(ctx)
    priced, errors = await _priced_lines(ctx, contract, request)
    if errors:
        raise ValidationFailed(errors)
    total = sum(line["amount"] for line in priced)
    before = contract.account_balance
    after = before - total if request.payment_method == "balance" else before
    return {"lines": priced, "total": total, "balance_before": before, "balance_after": after}


async def place_voucher_order(
    ctx: Context, api: CertCentralClient, request: VoucherOrderIn
) -> VoucherOrderView:
    """Generate the vouchers upstream, store the codes, issue the invoice; once per key."""
    if not ctx.idempotency_key:
        raise refuse("idempotency_key", "digicert.voucher_order.key_required")
    key = f"{ctx.tenant.id}:{ctx.idempotency_key}"
    digest = request_digest({"voucher_order": request})
    row = await _by_key(key)
    if row is not None and row["request_digest"] != digest:
        raise refuse("idempotency_key", "digicert.voucher_order.key_reused")
    if row is None:
        contact_problems = contact_errors(await tenant_billing_contact(ctx))
        if contact_problems:  # the seed's refusals, from core.billing's own check
            raise ValidationFailed(contact_problems)
        summary = await quote_voucher_order(ctx, request)
        refusals = await invoice_refusals(
            ctx, await get_contract(ctx), summary["lines"], "digicert_voucher_order"
        )
        if refusals:
            raise ValidationFailed(refusals)
        await (
            DcVoucherOrder.insert(
                DcVoucherOrder(
                    tenant_id=ctx.tenant.id,
                    idempotency_key=key,
                    request_digest=digest,
                    status="pending",
                    customer_name=request.customer_name.strip(),
                    notes=request.notes.strip(),
                    payment_method=request.payment_method,
                    lines=summary["lines"],
                    total=summary["total"],
                    balance_before=summary["balance_before"],
                    balance_after=summary["balance_after"],
                    created_at=ctx.clock.now(),
                    created_by=actor_ref(ctx.actor),
                    on_behalf_of=ctx.actor.on_behalf_of,
                )
            )
            .on_conflict(target=DcVoucherOrder.idempotency_key, action="DO NOTHING")
            .run()
        )
        row = await _by_key(key)
        assert row is not None
    if row["status"] == "pending":
        await _complete(ctx, api, await order_row(ctx, row["id"]))
    return await get_voucher_order(ctx, row["id"])


async def _complete(ctx: Context, api: CertCentralClient, row: dict[str, Any]) -> None:
    contract = await get_contract(ctx)
    upstream_request = VoucherOrderRequest(
        vouchers=tuple(
            VoucherLine(
                line["product"], line["quantity"], line["years"], line["fqdns"], line["wildcards"]
            )
            for line in row["lines"]
        ),
        payment_method=row["payment_method"],
        customer_name=row["customer_name"] or None,
        notes=row["notes"] or None,
    )
    upstream = await api.create_voucher_order(
        upstream_request, f"shomei:{ctx.tenant.id}:voucher_order:{row['id']}"
    )
    codes = await api.voucher_codes(upstream.id)
    await store_codes(ctx, row["id"], codes, lapse_day(contract))
    invoice_id = None
    if contract.contract_type == ContractType.PAY_AS_YOU_GO.value:
        try:
            invoice_id = await _issue_invoice(ctx, contract, row, upstream.id)
        except ValidationFailed:  # refused for good (changed since the check): undo upstream
            await _undo(ctx, api, row["id"], upstream.id)
            raise
    expiration = min((date.fromisoformat(c.redeem_by) for c in codes), default=None)
    lapse = lapse_day(contract)
    if expiration is not None and lapse is not None:
        expiration = min(expiration, lapse)
    # before completing (its key makes it once): a crash in between loses no delivery mail
    await announce_delivered(
        ctx, row["id"], str(upstream.id), invoice_id, await tenant_billing_contact(ctx)
    )
    done = await (
        DcVoucherOrder.update(
            {
                DcVoucherOrder.status: "completed",
                DcVoucherOrder.upstream_id: upstream.id,
                DcVoucherOrder.invoice_id: invoice_id,
                DcVoucherOrder.expiration_date: expiration,
            }
        )
        .where((DcVoucherOrder.id == row["id"]) & (DcVoucherOrder.status == "pending"))
        .returning(DcVoucherOrder.id)
        .run()
    )
    if done:  # only the call that completed the order charges the balance and audits
        if row["payment_method"] == "balance":
            await adjust_balance(ctx, -row["total"])
        await audit(
            ctx, "digicert.voucher_order.created", "digicert_voucher_order", row["id"],
            {"upstream_id": upstream.id, "codes": len(codes), "total": row["total"],
             "invoice_id": invoice_id, "on_behalf_of": ctx.actor.on_behalf_of},
        )  # fmt: skip


async def _undo(ctx: Context, api: CertCentralClient, order_id: int, upstream_id: int) -> None:
    """A local step refused after the upstream order exists: cancel it upstream (within its
    cancel window, since it was just made) and mark ours ``failed`` with cancelled codes,
    so no order is left half-done; anything else leaves it pending for a retry to resume."""
    await api.cancel_voucher_order(upstream_id)
    await (
        DcVoucherOrder.update(
            {
                DcVoucherOrder.status: "failed",
                DcVoucherOrder.upstream_id: upstream_id,
                DcVoucherOrder.cancelled_at: ctx.clock.now(),
            }
        )
        .where((DcVoucherOrder.id == order_id) & (DcVoucherOrder.status == "pending"))
        .run()
    )
    await (
        DcVoucherCode.update({DcVoucherCode.status: "cancelled"})
        .where(
            (DcVoucherCode.tenant_id == ctx.tenant.id)
            & (DcVoucherCode.voucher_order_id == order_id)
        )
        .run()
    )
    await audit(
        ctx, "digicert.voucher_order.undone", "digicert_voucher_order", order_id,
        {"upstream_id": upstream_id},
    )  # fmt: skip


def lapse_day(contract: ContractView) -> date | None:
    """A bulk contract's codes are redeemable through the anniversary of its effective date at
    the latest (``core.billing.timing.bulk_lapse_day``); other contracts' keep the upstream's."""
    if contract.contract_type != ContractType.BULK.value or contract.effective_on is None:
        return None
    return bulk_lapse_day(contract.effective_on)


async def store_codes(
    ctx: Context, order_id: int, codes: list[VoucherCode], lapse: date | None = None
) -> None:
    known = {
        r["upstream_id"]
        for r in await DcVoucherCode.select(DcVoucherCode.upstream_id)
        .where(
            (DcVoucherCode.tenant_id == ctx.tenant.id)
            & (DcVoucherCode.voucher_order_id == order_id)
        )
        .run()
    }
    new = [code_row(ctx, order_id, c) for c in codes if c.id not in known]
    for row in new:
        if lapse is not None and row.redeem_by > lapse:
            row.redeem_by = lapse
    if new:
        await DcVoucherCode.insert(*new).run()


def code_row(ctx: Context, order_id: int, code: VoucherCode, **extra: Any) -> DcVoucherCode:
    return DcVoucherCode(
        tenant_id=ctx.tenant.id,
        voucher_order_id=order_id,
        upstream_id=code.id,
        value=code.value,
        product_name_id=code.product_name_id,
        product_name=str(code.raw.get("product_name", "")),
        no_of_fqdns=code.no_of_fqdns,
        no_of_wildcards=code.no_of_wildcards,
        validity_years=code.validity_years,
        status=code.status,
        created_at=ctx.clock.now(),
        redeem_by=date.fromisoformat(code.redeem_by),
        redeem_link=code.redeem_link,
        renewal_redeem_link=code.renewal_redeem_link,
        **extra,
    )


async def _issue_invoice(
    ctx: Context, contract: ContractView, row: dict[str, Any], upstream_id: int
) -> int:
    """Pay-as-you-go: one invoice per voucher order, issued at once (都度請求)."""
    return await issue_provider_invoice(
        ctx, contract, row["lines"], "digicert_voucher_order", row["id"], "voucher_order",
        str(upstream_id),
    )  # fmt: skip


async def issue_provider_invoice(
    ctx: Context,
    contract: ContractView,
    lines: list[dict[str, Any]],
    source_type: str,
    source_id: int,
    reference_kind: str,
    reference_number: str,
) -> int:
    """The provider's invoice to the tenant for priced lines, once per source."""
    draft = await provider_invoice_draft(
        ctx, contract, lines, source_type, source_id, reference_kind, reference_number
    )
    key = f"digicert:{reference_kind}:{source_id}"
    invoice = await create_invoice(ctx.with_key(key), draft)
    return invoice.id


async def provider_invoice_draft(
    ctx: Context,
    contract: ContractView,
    lines: list[dict[str, Any]],
    source_type: str,
    source_id: int,
    reference_kind: str,
    reference_number: str = NOT_AVAILABLE,
) -> InvoiceDraft:
    """The invoice of priced lines (``SSLOV 1Yr``-style service code, ``Basic OV 2 Years
    with 3 FQDNs`` item) as a draft, which an order path checks before calling upstream."""
    drafts = tuple(
        LineDraft(
            service_code=f"{line['product']} {line['years']}Yr",
            item=line_item(line),
            quantity=line["quantity"],
            unit_price=line["unit_price"],
        )
        for line in lines
    )
    return InvoiceDraft(
        source_type=source_type,
        source_id=str(source_id),
        issuer=contract.issuer,
        bank_account=contract.bank_account,
        recipient=await tenant_billing_contact(ctx),
        lines=drafts,
        term=PaymentTerm(contract.payment_term),
        contract_type=ContractType(contract.contract_type),
        reference_kind=reference_kind,
        reference_number=reference_number,
        language=ctx.tenant.language,
    )


def line_item(line: dict[str, Any]) -> str:
    """The item text as the seed's invoice prints it: ``Basic OV 2 Years with 3 FQDNs and 3
    Wildcards``, ``GeoTrust TrueBusiness ID EV 1 Year with 3 FQDNs`` (a count of none is left
    out, one is singular)."""
    years = line["years"]
    counts = [
        f"{n} {noun}{'s' if n != 1 else ''}"
        for n, noun in ((line["fqdns"], "FQDN"), (line["wildcards"], "Wildcard"))
        if n
    ]
    names = f" with {' and '.join(counts)}" if counts else ""
    return f"{line['name_en']} {years} Year{'s' if years != 1 else ''}{names}"


async def invoice_refusals(
    ctx: Context, contract: ContractView, lines: list[dict[str, Any]], source_type: str
) -> list[FieldError]:
    """Why the invoice of ``lines`` would be refused, asked before the upstream order exists
    (a pay-as-you-go order is invoiced after it: 上流に注文する前に、ローカルの確認をすべて)."""
    if contract.contract_type != ContractType.PAY_AS_YOU_GO.value:
        return []
    return draft_errors(await provider_invoice_draft(ctx, contract, lines, source_type, 0, "order"))


async def _by_key(key: str) -> dict[str, Any] | None:
    return await (
        DcVoucherOrder.select(
            DcVoucherOrder.id, DcVoucherOrder.request_digest, DcVoucherOrder.status
        )
        .where(DcVoucherOrder.idempotency_key == key)
        .first()
        .run()
    )


async def cancel_voucher_order(
    ctx: Context, api: CertCentralClient, order_id: int, reason: str = ""
) -> VoucherOrderView:
    """Cancel a whole voucher order: within 30 days of generation, while every code is active.
    Its codes become cancelled and its invoice VOID (who, when and why recorded by billing)."""
    row = await order_row(ctx, order_id)
    codes = await order_codes(ctx, order_id)
    now = ctx.clock.now()
    if row["status"] != "completed":
        raise refuse("voucher_order", "digicert.cancel.not_completed")
    if row["payment_method"] == "coupon":  # a conversion cannot be undone (やり直し不可)
        raise refuse("voucher_order", "digicert.cancel.converted_coupon")
    if now >= cancel_until(ctx, row["created_at"]):
        raise refuse("voucher_order", "digicert.cancel.after_30_days", days=CANCEL_DAYS)
    if any(c.status != "active" for c in codes):
        raise refuse("voucher_order", "digicert.cancel.not_all_active")
    if row["invoice_id"] is not None:
        invoice = await get_invoice(ctx, row["invoice_id"])
        if invoice.status == InvoiceStatus.PAID.value:  # billing refuses voiding a paid one
            raise refuse("invoice", "billing.invoice.paid_cannot_be_voided")
    await api.cancel_voucher_order(row["upstream_id"])
    changed = await (
        DcVoucherOrder.update(
            {DcVoucherOrder.status: "cancelled", DcVoucherOrder.cancelled_at: now}
        )
        .where((DcVoucherOrder.id == order_id) & (DcVoucherOrder.status == "completed"))
        .returning(DcVoucherOrder.id)
        .run()
    )
    await (
        DcVoucherCode.update({DcVoucherCode.status: "cancelled"})
        .where(
            (DcVoucherCode.tenant_id == ctx.tenant.id)
            & (DcVoucherCode.voucher_order_id == order_id)
            & (DcVoucherCode.status == "active")
        )
        .run()
    )
    if changed:
        local = now.astimezone(ZoneInfo(ctx.tenant.time_zone))  # printed on the void invoice
        why = (
            reason.strip()
            or f"Cancel requested on {local:%Y-%m-%d %H:%M:%S %Z} by {actor_label(ctx.actor)}"
        )
        if row["invoice_id"] is not None:
            try:
                await void_invoice(ctx, row["invoice_id"], why)
            except InvoiceStateError as exc:  # paid in between: surface billing's refusal
                raise refuse("invoice", exc.message_id) from exc
        if row["payment_method"] == "balance":
            await adjust_balance(ctx, row["total"])
        await audit(
            ctx, "digicert.voucher_order.cancelled", "digicert_voucher_order", order_id,
            {"reason": why, "invoice_id": row["invoice_id"]},
        )  # fmt: skip
    return await get_voucher_order(ctx, order_id)


async def reissue_code(ctx: Context, api: CertCentralClient, code_id: int) -> VoucherOrderView:
    """バウチャーを再発行: the old code is dead at once; a new code keeps the redeem-by date."""
    code = await get_code(ctx, code_id)
    if code["status"] != "active":
        raise refuse("code", "digicert.reissue.not_active")
    order = await order_row(ctx, code["voucher_order_id"])
    fresh = await api.reissue_voucher_code(order["upstream_id"], code["upstream_id"])
    killed = await (
        DcVoucherCode.update({DcVoucherCode.status: "reissued"})
        .where((DcVoucherCode.id == code_id) & (DcVoucherCode.status == "active"))
        .returning(DcVoucherCode.id)
        .run()
    )
    if not killed:  # used or reissued meanwhile
        raise refuse("code", "digicert.reissue.not_active")
    row = code_row(ctx, order["id"], fresh, replaces_code_id=code_id)
    row.redeem_by = code["redeem_by"]  # the original redeem-by, whatever the upstream says
    await row.save().run()
    await audit(
        ctx, "digicert.voucher_code.reissued", "digicert_voucher_code", code_id,
        {"voucher_order_id": order["id"], "new_code_id": row.id,
         "redeem_by": code["redeem_by"].isoformat(), "old_code_suffix": code["value"][-4:]},
    )  # fmt: skip
    return await get_voucher_order(ctx, order["id"])
