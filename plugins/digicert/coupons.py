"""The coupon converter (クーポンコンバーター): legacy 16-digit coupons become vouchers.

``check_coupon`` shows a coupon's status (product, expiry, converted or not). ``convert_coupons``
turns one coupon, or several coupons of the same product (a multi-domain voucher: each coupon is
one FQDN component), into one voucher code that keeps the coupon's expiry as its redeem-by date.
A converted coupon is never converted again: ``digicert_coupon_conversion`` has one row per
converted coupon (unique number), and the upstream refuses a converted coupon as well.

The conversion is idempotent on the set of numbers: our voucher order row (payment method
``coupon``, total 0) is written first under a key derived from the sorted numbers, the upstream
conversion carries ``shomei:{tenant}:coupon_conversion:{id}``, and a call that finds the row
still ``pending`` resumes it instead of converting again.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from core.billing.invoices import actor_ref
from core.clock import local_date
from core.context import Context
from core.errors import FieldError, ValidationFailed
from plugins.digicert.client import CertCentralClient
from plugins.digicert.errors import InvalidRequest, NotFound
from plugins.digicert.models import Coupon
from plugins.digicert.tables import DcCouponConversion, DcVoucherCode, DcVoucherOrder
from plugins.digicert.views import VoucherOrderView, get_voucher_order, order_codes
from plugins.digicert.vouchers import refuse, store_codes
from tenants.audit import audit

NUMBER = re.compile(r"^[0-9]{16}$")
UPSTREAM_REFUSALS = {
    "coupon_already_converted": "digicert.coupon.already_converted",
    "coupon_expired": "digicert.coupon.expired",
    "coupon_products_differ": "digicert.coupon.products_differ",
}


@dataclass(frozen=True)
class CouponStatus:
    """クーポンの状況: 有効期限 and バウチャーへの変換 (済 / 未)."""

    number: str
    product_name_id: str
    expires_on: date
    expired: bool
    converted: bool
    voucher_code: str | None


def _number_errors(numbers: Sequence[str], field: str) -> list[FieldError]:
    errors = []
    seen: set[str] = set()
    for n, number in enumerate(numbers):
        name = field if len(numbers) == 1 and field == "coupon_number" else f"{field}[{n}]"
        if not NUMBER.match(number):
            errors.append(FieldError(name, "digicert.coupon.number_invalid"))
        elif number in seen:
            errors.append(FieldError(name, "digicert.coupon.duplicate", {"number": number}))
        seen.add(number)
    return errors


async def _converted(numbers: Sequence[str]) -> dict[str, dict[str, Any]]:
    rows = await (
        DcCouponConversion.select()
        .where(DcCouponConversion.coupon_number.is_in(list(numbers)))
        .run()
    )
    return {r["coupon_number"]: r for r in rows}


async def _upstream(api: CertCentralClient, number: str, field: str) -> Coupon:
    try:
        return await api.coupon_status(number)
    except NotFound:
        raise refuse(field, "digicert.coupon.not_found", number=number) from None


async def check_coupon(ctx: Context, api: CertCentralClient, number: str) -> CouponStatus:
    """The status of one coupon (1件ずつ検索)."""
    number = number.strip()
    errors = _number_errors([number], "coupon_number")
    if errors:
        raise ValidationFailed(errors)
    coupon = await _upstream(api, number, "coupon_number")
    local = (await _converted([number])).get(number)
    expires_on = date.fromisoformat(coupon.expires_on)
    code = None
    if local is not None and local["voucher_code_id"] is not None:
        row = await (
            DcVoucherCode.select(DcVoucherCode.value)
            .where(
                (DcVoucherCode.id == local["voucher_code_id"])
                & (DcVoucherCode.tenant_id == ctx.tenant.id)
            )
            .first()
            .run()
        )
        code = row["value"] if row else None
    return CouponStatus(
        number=number,
        product_name_id=coupon.product_name_id,
        expires_on=expires_on,
        expired=local_date(ctx.clock) > expires_on,
        converted=local is not None or coupon.status == "converted",
        voucher_code=code,
    )


def conversion_key(ctx: Context, numbers: Sequence[str]) -> str:
    digest = hashlib.sha256("\n".join(sorted(numbers)).encode()).hexdigest()
    return f"{ctx.tenant.id}:coupon:{digest}"


async def convert_coupons(
    ctx: Context, api: CertCentralClient, numbers: Sequence[str]
) -> VoucherOrderView:
    """Convert once: one coupon, or several of one product into one multi-domain voucher."""
    numbers = [n.strip() for n in numbers if n.strip()]
    if not numbers:
        raise refuse("coupons", "digicert.coupon.none")
    errors = _number_errors(numbers, "coupons")
    if errors:
        raise ValidationFailed(errors)
    key = conversion_key(ctx, numbers)
    row = await DcVoucherOrder.select().where(DcVoucherOrder.idempotency_key == key).first().run()
    if row is None or row["status"] != "pending":
        await _check_convertible(ctx, api, numbers)
        row = await _pending_order(ctx, key, numbers)
    return await _complete(ctx, api, row, numbers)


async def _check_convertible(
    ctx: Context, api: CertCentralClient, numbers: Sequence[str]
) -> list[Coupon]:
    done = await _converted(numbers)
    errors = [
        FieldError(f"coupons[{n}]", "digicert.coupon.already_converted", {"number": number})
        for n, number in enumerate(numbers)
        if number in done
    ]
    if errors:
        raise ValidationFailed(errors)
    coupons = [await _upstream(api, number, f"coupons[{n}]") for n, number in enumerate(numbers)]
    today = local_date(ctx.clock)
    first = coupons[0]
    for n, coupon in enumerate(coupons):
        field = f"coupons[{n}]"
        if coupon.status == "converted":
            errors.append(
                FieldError(field, "digicert.coupon.already_converted", {"number": coupon.number})
            )
        elif today > date.fromisoformat(coupon.expires_on):
            errors.append(
                FieldError(
                    field,
                    "digicert.coupon.expired",
                    {"number": coupon.number, "expires_on": coupon.expires_on},
                )
            )
        elif (coupon.product_name_id, coupon.validity_years) != (
            first.product_name_id,
            first.validity_years,
        ):
            errors.append(
                FieldError(
                    field,
                    "digicert.coupon.products_differ",
                    {"number": coupon.number, "product": first.product_name_id},
                )
            )
    if errors:
        raise ValidationFailed(errors)
    return coupons


async def _pending_order(ctx: Context, key: str, numbers: Sequence[str]) -> dict[str, Any]:
    await (
        DcVoucherOrder.insert(
            DcVoucherOrder(
                tenant_id=ctx.tenant.id,
                idempotency_key=key,
                request_digest=key.rsplit(":", 1)[-1],
                status="pending",
                notes=" ".join(numbers),
                payment_method="coupon",
                lines=[],
                created_at=ctx.clock.now(),
                created_by=actor_ref(ctx.actor),
                on_behalf_of=ctx.actor.on_behalf_of,
            )
        )
        .on_conflict(target=DcVoucherOrder.idempotency_key, action="DO NOTHING")
        .run()
    )
    row = await DcVoucherOrder.select().where(DcVoucherOrder.idempotency_key == key).first().run()
    assert row is not None
    return row


async def _complete(
    ctx: Context, api: CertCentralClient, row: dict[str, Any], numbers: Sequence[str]
) -> VoucherOrderView:
    if row["status"] != "pending":
        raise refuse("coupons", "digicert.coupon.already_converted", number=numbers[0])
    try:
        upstream = await api.convert_coupons(
            tuple(numbers), f"shomei:{ctx.tenant.id}:coupon_conversion:{row['id']}"
        )
    except InvalidRequest as exc:
        await DcVoucherOrder.delete().where(DcVoucherOrder.id == row["id"]).run()
        message_id = next((UPSTREAM_REFUSALS[c] for c in exc.codes if c in UPSTREAM_REFUSALS), None)
        if message_id is None:
            raise
        raise refuse("coupons", message_id, number=", ".join(numbers)) from exc
    codes = await api.voucher_codes(upstream.id)
    await store_codes(ctx, row["id"], codes)
    (code,) = await order_codes(ctx, row["id"])
    lines = [
        {"product": code.product_name_id, "name_ja": code.product_name,
         "name_en": code.product_name, "quantity": 1, "years": code.validity_years,
         "fqdns": code.no_of_fqdns, "wildcards": code.no_of_wildcards, "unit_price": 0,
         "amount": 0}
    ]  # fmt: skip
    await (  # before completing: a crash in between leaves no coupon unrecorded
        DcCouponConversion.insert(
            *(
                DcCouponConversion(
                    tenant_id=ctx.tenant.id,
                    coupon_number=number,
                    product_name_id=code.product_name_id,
                    expires_on=code.redeem_by,
                    voucher_code_id=code.id,
                    converted_at=ctx.clock.now(),
                )
                for number in numbers
            )
        )
        .on_conflict(target=DcCouponConversion.coupon_number, action="DO NOTHING")
        .run()
    )
    done = await (
        DcVoucherOrder.update(
            {
                DcVoucherOrder.status: "completed",
                DcVoucherOrder.upstream_id: upstream.id,
                DcVoucherOrder.lines: lines,
                DcVoucherOrder.expiration_date: code.redeem_by,
            }
        )
        .where((DcVoucherOrder.id == row["id"]) & (DcVoucherOrder.status == "pending"))
        .returning(DcVoucherOrder.id)
        .run()
    )
    if done:
        await audit(
            ctx, "digicert.coupon.converted", "digicert_voucher_code", code.id,
            {"coupons": [n[-4:] for n in numbers], "voucher_order_id": row["id"],
             "redeem_by": code.redeem_by.isoformat()},
        )  # fmt: skip
    return await get_voucher_order(ctx, row["id"])
