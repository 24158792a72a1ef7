"""Direct purchase (直接購入): a certificate bought without a voucher.

The names come from the CSR (checked as for a redemption; up to 250 FQDNs and 250 wildcards),
priced at the contract's offered price like a voucher of the same shape (base + each extra
FQDN + each wildcard, for ``years``). Idempotent on ``ctx.idempotency_key``: our row is written
first (``pending``), the certificate is ordered upstream under the key of our certificate
request (``shomei:{tenant}:direct:{id}``), and on completion a pay-as-you-go contract paying by
bank transfer gets its invoice (申請完了後に請求書が発行されます); ``balance`` is charged to the
account balance. The certificate then goes through DCV, ``redemption.poll``, downloads,
reissue and ``cancel_certificate`` (within 30 days of issuance: the invoice VOID) exactly like
a redeemed one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from core.billing.contact import contact_errors
from core.billing.invoices import actor_ref
from core.billing.timing import ContractType
from core.context import Context
from core.errors import FieldError, NotFound, ValidationFailed
from core.orders.idempotency import request_digest
from plugins.digicert.client import CertCentralClient
from plugins.digicert.contracts import adjust_balance, get_contract
from plugins.digicert.errors import InvalidRequest
from plugins.digicert.models import CertificateOrderRequest, CertificateSpec, Organization
from plugins.digicert.redemption import DCV_METHODS, RedemptionView, checked_names, get_redemption
from plugins.digicert.tables import DcDirectOrder, DcRedemption
from plugins.digicert.vouchers import (
    LIMITS,
    PAYMENT_METHODS,
    VoucherLineIn,
    VoucherOrderIn,
    invoice_refusals,
    issue_provider_invoice,
    quote_voucher_order,
    refuse,
    tenant_billing_contact,
)
from tenants.audit import audit


@dataclass(frozen=True)
class DirectOrderIn:
    product: str
    years: int
    csr: str
    organization_name: str
    payment_method: str = "bank_transfer"
    dcv_method: str = "http-token"
    customer_id: int | None = None


@dataclass(frozen=True)
class DirectOrderView:
    id: int
    status: str
    product_name_id: str
    validity_years: int
    no_of_fqdns: int
    no_of_wildcards: int
    payment_method: str
    total: int
    invoice_id: int | None
    certificate: RedemptionView | None


def _digest(request: DirectOrderIn) -> str:
    return request_digest({"direct_order": request})


async def buy_certificate(
    ctx: Context, api: CertCentralClient, request: DirectOrderIn
) -> DirectOrderView:
    """Check, price, order upstream, invoice; once per idempotency key."""
    if not ctx.idempotency_key:
        raise refuse("idempotency_key", "digicert.voucher_order.key_required")
    key = f"{ctx.tenant.id}:direct:{ctx.idempotency_key}"
    row = await _by_key(key)
    if row is not None and row["request_digest"] != _digest(request):
        raise refuse("idempotency_key", "digicert.voucher_order.key_reused")
    if row is None:
        row = await _insert(ctx, key, request)
    if row["status"] == "pending":
        await _complete(ctx, api, row, request)
    return await get_direct_order(ctx, row["id"])


async def _insert(ctx: Context, key: str, request: DirectOrderIn) -> dict[str, Any]:
    errors: list[FieldError] = []
    if request.payment_method not in PAYMENT_METHODS:
        errors.append(FieldError("payment_method", "digicert.voucher_order.payment_method_invalid"))
    if request.dcv_method not in DCV_METHODS:
        errors.append(FieldError("dcv_method", "digicert.redeem.dcv_method_invalid"))
    if not request.organization_name.strip():
        errors.append(FieldError("organization_name", "digicert.redeem.organization_required"))
    if errors:
        raise ValidationFailed(errors)
    names = checked_names(request.csr, LIMITS["fqdns"][1], LIMITS["wildcards"][1])
    wildcards = sum(1 for n in names if n.startswith("*."))
    line = VoucherLineIn(request.product, 1, request.years, len(names) - wildcards, wildcards)
    contact_problems = contact_errors(await tenant_billing_contact(ctx))
    if contact_problems:
        raise ValidationFailed(contact_problems)
    try:
        summary = await quote_voucher_order(ctx, VoucherOrderIn(request.payment_method, (line,)))
    except ValidationFailed as exc:  # the voucher line's fields are this form's own fields
        raise ValidationFailed(
            [replace(e, field=e.field.removeprefix("lines[0].")) for e in exc.errors]
        ) from exc
    if request.payment_method == "bank_transfer":  # invoiced after the upstream order
        refusals = await invoice_refusals(
            ctx, await get_contract(ctx), summary["lines"], "digicert_direct_order"
        )
        if refusals:
            raise ValidationFailed(refusals)
    await (
        DcDirectOrder.insert(
            DcDirectOrder(
                tenant_id=ctx.tenant.id,
                idempotency_key=key,
                request_digest=_digest(request),
                status="pending",
                product_name_id=request.product,
                validity_years=request.years,
                no_of_fqdns=line.fqdns,
                no_of_wildcards=line.wildcards,
                payment_method=request.payment_method,
                lines=summary["lines"],
                total=summary["total"],
                customer_id=request.customer_id,
                created_at=ctx.clock.now(),
                created_by=actor_ref(ctx.actor),
            )
        )
        .on_conflict(target=DcDirectOrder.idempotency_key, action="DO NOTHING")
        .run()
    )
    found = await _by_key(key)
    assert found is not None
    return found


async def _complete(
    ctx: Context, api: CertCentralClient, row: dict[str, Any], request: DirectOrderIn
) -> None:
    names = checked_names(request.csr, row["no_of_fqdns"], row["no_of_wildcards"])
    redemption_id = row["redemption_id"]
    if redemption_id is None:
        certificate = DcRedemption(
            tenant_id=ctx.tenant.id,
            code_id=0,  # no voucher
            customer_id=request.customer_id,
            status="pending",
            common_name=names[0],
            dns_names=list(names),
            organization_name=request.organization_name.strip(),
            requested_at=ctx.clock.now(),
        )
        await certificate.save().run()
        redemption_id = certificate.id
        await (
            DcDirectOrder.update({DcDirectOrder.redemption_id: redemption_id})
            .where(DcDirectOrder.id == row["id"])
            .run()
        )
    upstream_request = CertificateOrderRequest(
        product_name_id=row["product_name_id"],
        certificate=CertificateSpec(common_name=names[0], dns_names=names, csr=request.csr),
        organization=Organization(name=request.organization_name.strip()),
        validity_years=row["validity_years"],
        dcv_method=request.dcv_method,
    )
    try:
        answer = await api.order_certificate(
            upstream_request, f"shomei:{ctx.tenant.id}:direct:{redemption_id}"
        )
    except InvalidRequest:  # refused for good; anything else stays pending for a retry
        await _fail(ctx, row["id"], redemption_id)
        raise
    await (
        DcRedemption.update(
            {
                DcRedemption.upstream_order_id: answer.id,
                DcRedemption.certificate_id: answer.certificate_id,
                DcRedemption.dcv_random_value: answer.dcv_random_value or "",
            }
        )
        .where(DcRedemption.id == redemption_id)
        .run()
    )
    contract = await get_contract(ctx)
    invoice_id = None
    paygo = contract.contract_type == ContractType.PAY_AS_YOU_GO.value
    if paygo and row["payment_method"] == "bank_transfer":
        try:
            invoice_id = await issue_provider_invoice(
                ctx, contract, row["lines"], "digicert_direct_order", row["id"], "order",
                str(answer.id),
            )  # fmt: skip
        except ValidationFailed:  # refused for good after the upstream order: cancel it
            await api.cancel_order(answer.id, "shomei: invoice refused")
            await _fail(ctx, row["id"], redemption_id)
            raise
    done = await (
        DcDirectOrder.update(
            {DcDirectOrder.status: "completed", DcDirectOrder.invoice_id: invoice_id}
        )
        .where((DcDirectOrder.id == row["id"]) & (DcDirectOrder.status == "pending"))
        .returning(DcDirectOrder.id)
        .run()
    )
    if done:  # only the call that completed it charges the balance and audits
        if row["payment_method"] == "balance":
            await adjust_balance(ctx, -row["total"])
        await audit(
            ctx, "digicert.direct_order.created", "digicert_direct_order", row["id"],
            {"upstream_order_id": answer.id, "total": row["total"], "invoice_id": invoice_id,
             "names": list(names)},
        )  # fmt: skip


async def _fail(ctx: Context, order_id: int, redemption_id: int) -> None:
    await (
        DcDirectOrder.update({DcDirectOrder.status: "failed"})
        .where((DcDirectOrder.id == order_id) & (DcDirectOrder.tenant_id == ctx.tenant.id))
        .run()
    )
    await (
        DcRedemption.update({DcRedemption.status: "failed"})
        .where(DcRedemption.id == redemption_id)
        .run()
    )


async def _by_key(key: str) -> dict[str, Any] | None:
    return await (
        DcDirectOrder.select()
        .where(DcDirectOrder.idempotency_key == key)
        .output(load_json=True)
        .first()
        .run()
    )


async def get_direct_order(ctx: Context, order_id: int) -> DirectOrderView:
    row = await (
        DcDirectOrder.select()
        .where((DcDirectOrder.id == order_id) & (DcDirectOrder.tenant_id == ctx.tenant.id))
        .first()
        .run()
    )
    if row is None:
        raise NotFound("digicert.direct_order.not_found", order_id)
    certificate = None
    if row["redemption_id"] is not None:
        certificate = await get_redemption(ctx, row["redemption_id"])
    return DirectOrderView(
        id=row["id"],
        status=row["status"],
        product_name_id=row["product_name_id"],
        validity_years=row["validity_years"],
        no_of_fqdns=row["no_of_fqdns"],
        no_of_wildcards=row["no_of_wildcards"],
        payment_method=row["payment_method"],
        total=row["total"],
        invoice_id=row["invoice_id"],
        certificate=certificate,
    )
