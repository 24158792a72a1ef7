"""Redeeming a voucher code: a customer's CSR becomes a certificate ordered with the code.

The code is claimed first by one conditional UPDATE (``… WHERE status = 'active' RETURNING``),
so of any number of concurrent redemptions exactly one goes upstream; the others are refused.
If the upstream refuses, the claim is given back. Cancelling the certificate within 30 days of
issuance makes the code active again with its original redeem-by and voids the invoice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.billing.errors import InvoiceStateError
from core.billing.invoices import actor_label, get_invoice, void_invoice
from core.billing.status import InvoiceStatus
from core.certificates.csr import parse_csr
from core.certificates.names import name_errors as core_name_errors
from core.context import Context
from core.errors import FieldError, NotFound, ValidationFailed
from plugins.digicert.client import CertCentralClient
from plugins.digicert.errors import CertCentralError
from plugins.digicert.models import CertificateOrderRequest, CertificateSpec, Organization
from plugins.digicert.tables import DcDirectOrder, DcRedemption, DcVoucherCode
from plugins.digicert.views import CANCEL_DAYS, cancel_until, code_by_value, order_row
from plugins.digicert.vouchers import refuse
from tenants.audit import audit

DCV_METHODS = ("http-token", "email")


@dataclass(frozen=True)
class RedemptionView:
    id: int
    code_id: int | None
    customer_id: int | None
    status: str
    upstream_order_id: int | None
    certificate_id: int | None
    common_name: str
    dns_names: list[str]
    dcv_random_value: str
    requested_at: datetime
    issued_at: datetime | None
    pem_chain: str
    valid_till: str


def name_errors(names: tuple[str, ...], fqdns: int, wildcards: int) -> list[FieldError]:
    """The one name rule of server certificates (``core.certificates.names``: no IP address,
    label and wildcard syntax, no internal name), then the voucher's counts."""
    errors = core_name_errors(names)
    wild = sum(1 for n in names if n.startswith("*."))
    if wild > wildcards or len(names) - wild > fqdns:
        errors.append(
            FieldError(
                "csr", "digicert.redeem.too_many_names", {"fqdns": fqdns, "wildcards": wildcards}
            )
        )
    return errors


def checked_names(csr_pem: str, fqdns: int, wildcards: int) -> tuple[str, ...]:
    """The CSR's names once the CSR and every name pass (``parse_csr``, then ``name_errors``)."""
    info = parse_csr(csr_pem)
    names = info.dns_names
    if not names:
        raise refuse("csr", "digicert.redeem.no_names")
    errors = name_errors(names, fqdns, wildcards)
    if errors:
        raise ValidationFailed(errors)
    return names


async def redeem(
    ctx: Context,
    api: CertCentralClient,
    code_value: str,
    customer_id: int | None,
    csr_pem: str,
    organization_name: str,
    dcv_method: str = "http-token",
) -> RedemptionView:
    """Check the CSR, claim the code once, order the certificate upstream with it."""
    code = await code_by_value(ctx, code_value)
    if code["status"] != "active":
        raise refuse("code", "digicert.redeem.code_not_active")
    if ctx.clock.now().date() > code["redeem_by"]:
        raise refuse("code", "digicert.redeem.past_redeem_by")
    errors = []
    if not organization_name.strip():
        errors.append(FieldError("organization_name", "digicert.redeem.organization_required"))
    if dcv_method not in DCV_METHODS:
        errors.append(FieldError("dcv_method", "digicert.redeem.dcv_method_invalid"))
    try:
        names = checked_names(csr_pem, code["no_of_fqdns"], code["no_of_wildcards"])
    except ValidationFailed as exc:
        errors.extend(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    claimed = await (
        DcVoucherCode.update(
            {DcVoucherCode.status: "used", DcVoucherCode.used_at: ctx.clock.now(),
             DcVoucherCode.customer_id: customer_id}
        )
        .where(
            (DcVoucherCode.id == code["id"])
            & (DcVoucherCode.tenant_id == ctx.tenant.id)
            & (DcVoucherCode.status == "active")
        )
        .returning(DcVoucherCode.id)
        .run()
    )  # fmt: skip
    if not claimed:
        raise refuse("code", "digicert.redeem.code_not_active")
    row = DcRedemption(
        tenant_id=ctx.tenant.id,
        code_id=code["id"],
        customer_id=customer_id,
        status="pending",
        common_name=names[0],
        dns_names=list(names),
        organization_name=organization_name,
        requested_at=ctx.clock.now(),
    )
    await row.save().run()
    request = CertificateOrderRequest(
        product_name_id=code["product_name_id"],
        certificate=CertificateSpec(common_name=names[0], dns_names=names, csr=csr_pem),
        organization=Organization(name=organization_name),
        validity_years=code["validity_years"],
        dcv_method=dcv_method,
        voucher_code=code["value"],
    )
    try:
        answer = await api.order_certificate(request, f"shomei:{ctx.tenant.id}:redeem:{row.id}")
    except CertCentralError:
        await (
            DcRedemption.update({DcRedemption.status: "failed"})
            .where(DcRedemption.id == row.id)
            .run()
        )
        await (
            DcVoucherCode.update({DcVoucherCode.status: "active", DcVoucherCode.used_at: None})
            .where((DcVoucherCode.id == code["id"]) & (DcVoucherCode.status == "used"))
            .run()
        )
        raise
    values = {
        DcRedemption.upstream_order_id: answer.id,
        DcRedemption.certificate_id: answer.certificate_id,
        DcRedemption.dcv_random_value: answer.dcv_random_value or "",
    }
    await DcRedemption.update(values).where(DcRedemption.id == row.id).run()
    await audit(
        ctx, "digicert.voucher_code.redeemed", "digicert_voucher_code", code["id"],
        {"redemption_id": row.id, "upstream_order_id": answer.id, "names": list(names)},
    )  # fmt: skip
    return await get_redemption(ctx, row.id)


async def _row(ctx: Context, redemption_id: int) -> dict[str, Any]:
    row = await (
        DcRedemption.select()
        .where((DcRedemption.id == redemption_id) & (DcRedemption.tenant_id == ctx.tenant.id))
        .output(load_json=True)
        .first()
        .run()
    )
    if row is None:
        raise NotFound("digicert.redemption.not_found", redemption_id)
    return row


async def get_redemption(ctx: Context, redemption_id: int) -> RedemptionView:
    row = await _row(ctx, redemption_id)
    values = {name: row[name] for name in RedemptionView.__dataclass_fields__}
    return RedemptionView(**{**values, "code_id": row["code_id"] or None})  # 0: direct


async def poll(ctx: Context, api: CertCentralClient, redemption_id: int) -> RedemptionView:
    """Ask the upstream (checking DCV while pending); on issuance, download the PEM chain."""
    row = await _row(ctx, redemption_id)
    if row["status"] != "pending" or row["upstream_order_id"] is None:
        return await get_redemption(ctx, redemption_id)
    order = await api.get_order(row["upstream_order_id"])
    if order.status == "pending":
        await api.check_dcv(row["upstream_order_id"])
        order = await api.get_order(row["upstream_order_id"])
    if order.status == "issued":
        bundle = await api.download_pem_bundle(order.certificate.id)
        values = {
            DcRedemption.status: "issued",
            DcRedemption.issued_at: row["issued_at"] or ctx.clock.now(),  # first issuance
            DcRedemption.certificate_id: order.certificate.id,
            DcRedemption.pem_chain: bundle.pem,
            DcRedemption.valid_from: order.certificate.valid_from or "",
            DcRedemption.valid_till: order.certificate.valid_till or "",
            DcRedemption.order_valid_from: order.order_valid_from or "",
            DcRedemption.order_valid_till: order.order_valid_till or "",
        }
        still_pending = (DcRedemption.id == redemption_id) & (DcRedemption.status == "pending")
        await DcRedemption.update(values).where(still_pending).run()
    return await get_redemption(ctx, redemption_id)


async def _invoice_of(ctx: Context, row: dict[str, Any]) -> int | None:
    """The invoice a certificate was billed on: its voucher order's, or its direct order's."""
    if row["code_id"]:
        code = await DcVoucherCode.select().where(DcVoucherCode.id == row["code_id"]).first().run()
        return (await order_row(ctx, code["voucher_order_id"]))["invoice_id"]
    direct = await (
        DcDirectOrder.select(DcDirectOrder.invoice_id)
        .where(
            (DcDirectOrder.redemption_id == row["id"]) & (DcDirectOrder.tenant_id == ctx.tenant.id)
        )
        .first()
        .run()
    )
    return direct["invoice_id"] if direct else None


async def reissue_certificate(
    ctx: Context, api: CertCentralClient, redemption_id: int, csr_pem: str
) -> RedemptionView:
    """Reissue an issued certificate with a new CSR, within the names it was bought for."""
    row = await _row(ctx, redemption_id)
    if row["status"] != "issued":
        raise refuse("certificate", "digicert.reissue_certificate.not_issued")
    fqdns, wildcards = await name_allowance(ctx, row)
    names = checked_names(csr_pem, fqdns, wildcards)
    spec = CertificateSpec(common_name=names[0], dns_names=names, csr=csr_pem)
    answer = await api.reissue(row["upstream_order_id"], spec)
    await (
        DcRedemption.update(
            {DcRedemption.status: "pending", DcRedemption.common_name: names[0],
             DcRedemption.dns_names: list(names), DcRedemption.pem_chain: "",
             DcRedemption.dcv_random_value: answer.dcv_random_value or row["dcv_random_value"]}
        )
        .where((DcRedemption.id == redemption_id) & (DcRedemption.status == "issued"))
        .run()
    )  # fmt: skip
    await audit(
        ctx, "digicert.certificate.reissued", "digicert_redemption", redemption_id,
        {"upstream_order_id": row["upstream_order_id"], "names": list(names)},
    )  # fmt: skip
    return await poll(ctx, api, redemption_id)


async def name_allowance(ctx: Context, row: dict[str, Any]) -> tuple[int, int]:
    """(FQDNs, wildcards) a certificate may carry: its code's counts, or what was bought."""
    if row["code_id"]:
        code = await DcVoucherCode.select().where(DcVoucherCode.id == row["code_id"]).first().run()
        return code["no_of_fqdns"], code["no_of_wildcards"]
    direct = await (
        DcDirectOrder.select()
        .where(
            (DcDirectOrder.redemption_id == row["id"]) & (DcDirectOrder.tenant_id == ctx.tenant.id)
        )
        .first()
        .run()
    )
    return (direct["no_of_fqdns"], direct["no_of_wildcards"]) if direct else (0, 0)


async def cancel_certificate(
    ctx: Context, api: CertCentralClient, redemption_id: int
) -> RedemptionView:
    """Within 30 days of issuance: certificate cancelled, code active again (same redeem-by),
    the voucher order's invoice VOID. After 30 days the upstream and we both refuse."""
    row = await _row(ctx, redemption_id)
    now = ctx.clock.now()
    if row["status"] == "issued" and now >= cancel_until(ctx, row["issued_at"]):
        raise refuse("certificate", "digicert.cancel_certificate.after_30_days", days=CANCEL_DAYS)
    if row["status"] not in ("pending", "issued"):
        raise refuse("certificate", "digicert.cancel_certificate.not_cancellable")
    invoice_id = await _invoice_of(ctx, row)
    if invoice_id is not None:
        invoice = await get_invoice(ctx, invoice_id)
        if invoice.status == InvoiceStatus.PAID.value:
            raise refuse("invoice", "billing.invoice.paid_cannot_be_voided")
    await api.cancel_order(row["upstream_order_id"], note=f"cancelled by {actor_label(ctx.actor)}")
    await (
        DcRedemption.update({DcRedemption.status: "cancelled", DcRedemption.cancelled_at: now})
        .where(DcRedemption.id == redemption_id)
        .run()
    )
    await (  # a direct purchase has no code: nothing to give back
        DcVoucherCode.update(
            {
                DcVoucherCode.status: "active",
                DcVoucherCode.used_at: None,
                DcVoucherCode.customer_id: None,
            }
        )
        .where((DcVoucherCode.id == row["code_id"]) & (DcVoucherCode.status == "used"))
        .run()
    )
    if invoice_id is not None:
        invoice = await get_invoice(ctx, invoice_id)
        if invoice.status == InvoiceStatus.OPEN.value:
            why = (
                f"Certificate order {row['upstream_order_id']} cancelled within 30 days of issuance"
            )
            try:
                await void_invoice(ctx, invoice_id, why)
            except InvoiceStateError as exc:
                raise refuse("invoice", exc.message_id) from exc
    await (
        DcDirectOrder.update({DcDirectOrder.status: "cancelled"})
        .where(
            (DcDirectOrder.redemption_id == redemption_id)
            & (DcDirectOrder.tenant_id == ctx.tenant.id)
        )
        .run()
    )
    await audit(
        ctx, "digicert.certificate.cancelled", "digicert_redemption", redemption_id,
        {"code_id": row["code_id"], "upstream_order_id": row["upstream_order_id"]},
    )  # fmt: skip
    return await get_redemption(ctx, redemption_id)
