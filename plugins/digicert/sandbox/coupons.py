"""Legacy 16-digit coupons and the coupon converter (クーポンコンバーター).

Our choice of endpoints, like the voucher ones: ``GET /coupon/{number}`` reads a coupon's
status (expiry, converted or not) and ``POST /coupon/convert {"coupons": [...], "notes"}``
turns one coupon, or several coupons of one product (a multi-domain voucher), into a voucher
order of one code whose redeem-by is the coupons' expiry (the earliest, when several). A
converted coupon is never converted again. Tests add coupons with ``add_coupon`` or
``POST /sandbox/coupons``.
"""

from __future__ import annotations

import re
from typing import Any

from plugins.digicert.sandbox.errors import bad_request, not_found
from plugins.digicert.sandbox.store import Record
from plugins.digicert.sandbox.upstream import Sandbox, iso
from plugins.digicert.sandbox.vouchers import _new_code, voucher_order_view

NUMBER = re.compile(r"^[0-9]{16}$")


def add_coupon(
    sb: Sandbox,
    number: str,
    product_name_id: str,
    expires_on: str,
    *,
    validity_years: int = 1,
    no_of_fqdns: int = 1,
    no_of_wildcards: int = 0,
) -> Record:
    if not NUMBER.match(number):
        raise bad_request("invalid_coupon_number", "a coupon number is 16 digits")
    product = sb.config.products.get(product_name_id)
    if product is None:
        raise bad_request("invalid_product", "product_name_id contains an invalid value.")
    with sb.store.lock:
        coupon = {
            "number": number, "product_name_id": product_name_id,
            "product_name": product.name, "expires_on": expires_on,
            "validity_years": validity_years, "no_of_fqdns": no_of_fqdns,
            "no_of_wildcards": no_of_wildcards, "status": "unused",
            "voucher_order_id": None, "voucher_code": None, "converted_at": None,
        }  # fmt: skip
        sb.store.put("coupons", number, coupon)
        sb.store.save()
    return coupon


def get_coupon(sb: Sandbox, number: str) -> Record:
    coupon = sb.store.get("coupons", number)
    if coupon is None:
        raise not_found(f"coupon {number}")
    return coupon


def convert(sb: Sandbox, body: dict[str, Any]) -> Record:
    numbers = body.get("coupons")
    if not isinstance(numbers, list) or not numbers or len(set(numbers)) != len(numbers):
        raise bad_request("invalid_coupons", "coupons must list distinct coupon numbers")
    with sb.store.lock:
        coupons = [get_coupon(sb, str(n)) for n in numbers]
        if any(c["status"] != "unused" for c in coupons):
            raise bad_request("coupon_already_converted", "a coupon was already converted")
        if any(c["expires_on"] < sb.today().isoformat() for c in coupons):
            raise bad_request("coupon_expired", "a coupon is past its expiry date")
        kinds = {(c["product_name_id"], c["validity_years"]) for c in coupons}
        if len(kinds) != 1:
            raise bad_request("coupon_products_differ", "coupons must be of the same product")
        first = coupons[0]
        line = {
            "product_name_id": first["product_name_id"], "product_name": first["product_name"],
            "quantity": 1, "validity_years": first["validity_years"],
            "no_of_fqdns": sum(c["no_of_fqdns"] for c in coupons),
            "no_of_wildcards": sum(c["no_of_wildcards"] for c in coupons),
        }  # fmt: skip
        order_id = sb.store.next_id("voucher_order")
        now = iso(sb.now())
        redeem_by = min(c["expires_on"] for c in coupons)
        order = {
            "id": order_id, "status": "completed", "date_created": now,
            "customer_name": None, "notes": body.get("notes"), "payment_method": "coupon",
            "currency": "JPY", "cost": 0, "expiration_date": redeem_by, "vouchers": [line],
        }  # fmt: skip
        sb.store.put("voucher_orders", order_id, order)
        _new_code(sb, order_id, line, now, redeem_by)
        code = max(
            (c for c in sb.store.table("codes").values() if c["voucher_order_id"] == order_id),
            key=lambda c: c["id"],
        )
        for coupon in coupons:
            coupon.update(
                status="converted", voucher_order_id=order_id, voucher_code=code["value"],
                converted_at=now,
            )  # fmt: skip
        sb.store.save()
    return voucher_order_view(sb, order)
