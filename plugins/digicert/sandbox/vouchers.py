"""Voucher orders and codes: create, list, read, export, cancel; redeem and release a code."""

from __future__ import annotations

import csv
import io
import string
from typing import Any

from core.calendar_windows import is_within_days
from plugins.digicert.sandbox.errors import SandboxApiError, bad_request, not_found
from plugins.digicert.sandbox.store import Record
from plugins.digicert.sandbox.upstream import Sandbox, iso, one_year_after, parse_iso

CODE_ALPHABET = string.ascii_uppercase + string.digits
CODE_LENGTH = 32
CANCEL_DAYS = 30
"""生成から 30 日以内, in Japan's calendar (``core.calendar_windows``)."""
PAYMENT_METHODS = ("balance", "card", "bank_transfer")
CSV_COLUMNS = (
    "id", "value", "product_name", "no_of_fqdns", "no_of_wildcards", "shipping_method",
    "validity_years", "validity_days", "status", "created_date", "voucher_order_id",
    "cert_request_date", "cert_validity_start_date", "cert_validity_end_date",
    "cert_organization", "cert_common_name", "certificate_order_id",
    "voucher_validity_end_date", "order_valid_from", "order_valid_till", "server_licenses",
)  # fmt: skip
_LIMITS = {"quantity": (1, 1000), "validity_years": (1, 6), "no_of_fqdns": (0, 250)}
_LIMITS["no_of_wildcards"] = (0, 250)


def create_voucher_order(sb: Sandbox, body: dict[str, Any]) -> Record:
    if not sb.config.billing_contact_complete:
        raise bad_request("missing_billing_contact", "organization_name is a required parameter")
    lines = body.get("vouchers")
    if not isinstance(lines, list) or not lines:
        raise bad_request("invalid_vouchers", "vouchers must list at least one product")
    payment = body.get("payment_method")
    if payment not in PAYMENT_METHODS:
        raise bad_request("invalid_payment_method", "payment_method contains an invalid value.")
    checked = [_check_line(sb, line) for line in lines]
    with sb.store.lock:
        order_id = sb.store.next_id("voucher_order")
        now = sb.now()
        redeem_by = one_year_after(now.date()).isoformat()
        order = {
            "id": order_id,
            "status": "completed",
            "date_created": iso(now),
            "customer_name": body.get("customer_name"),
            "notes": body.get("notes"),
            "payment_method": payment,
            "currency": "JPY",
            "cost": sum(_line_cost(sb, line) for line in checked),
            "expiration_date": redeem_by,
            "vouchers": checked,
        }
        sb.store.put("voucher_orders", order_id, order)
        for line in checked:
            for _ in range(line["quantity"]):
                _new_code(sb, order_id, line, iso(now), redeem_by)
        sb.store.save()
    return voucher_order_view(sb, order)


def _check_line(sb: Sandbox, line: Any) -> Record:
    if not isinstance(line, dict):
        raise bad_request("invalid_vouchers", "each voucher line must be an object")
    product = sb.config.products.get(str(line.get("product_name_id")))
    if product is None:
        raise bad_request("invalid_product", "product_name_id contains an invalid value.")
    checked: Record = {"product_name_id": line["product_name_id"], "product_name": product.name}
    for name, (low, high) in _LIMITS.items():
        value = line.get(name)
        if not isinstance(value, int) or not low <= value <= high:
            raise bad_request(f"invalid_{name}", f"{name} must be between {low} and {high}")
        checked[name] = value
    if checked["no_of_fqdns"] + checked["no_of_wildcards"] < 1:
        raise bad_request("invalid_no_of_fqdns", "a voucher needs at least one name")
    return checked


def _line_cost(sb: Sandbox, line: Record) -> int:
    product = sb.config.products[line["product_name_id"]]
    extra = max(line["no_of_fqdns"] - 1, 0) * product.price_per_extra_fqdn
    unit = product.price_per_year + extra + line["no_of_wildcards"] * product.price_per_wildcard
    return unit * line["validity_years"] * line["quantity"]


def _new_code(sb: Sandbox, order_id: int, line: Record, created: str, redeem_by: str) -> None:
    codes = sb.store.table("codes")
    taken = {c["value"] for c in codes.values()}
    value = ""
    while not value or value in taken:
        value = "".join(sb.config.rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    code_id = sb.store.next_id("code")
    product = line["product_name_id"]
    base = sb.config.redeem_base_url
    sb.store.put(
        "codes",
        code_id,
        {
            "id": code_id,
            "value": value,
            "voucher_order_id": order_id,
            "product_name_id": product,
            "product_name": line["product_name"],
            "no_of_fqdns": line["no_of_fqdns"],
            "no_of_wildcards": line["no_of_wildcards"],
            "validity_years": line["validity_years"],
            "validity_days": 0,
            "status": "active",
            "created_date": created,
            "redeem_by": redeem_by,
            "redeem_link": f"{base}/secure/requests/ssl_certificate/{product}?vc={value}",
            "renewal_redeem_link": f"{base}/secure/orders/expiring/?product={product}&vc={value}",
            "certificate_order_id": None,
        },
    )


def order_codes(sb: Sandbox, order_id: int) -> list[Record]:
    """The order's codes as listed: a reissued (replaced) code is never shown again."""
    codes = sb.store.table("codes").values()
    mine = (c for c in codes if c["voucher_order_id"] == order_id and c["status"] != "reissued")
    return sorted(mine, key=lambda c: c["id"])


def reissue_code(sb: Sandbox, order_id: int, code_id: int) -> Record:
    """バウチャーを再発行: the old code dies at once, a new one keeps its redeem-by date."""
    with sb.store.lock:
        get_voucher_order(sb, order_id)
        code = sb.store.get("codes", code_id)
        if code is None or code["voucher_order_id"] != order_id or code["status"] == "reissued":
            raise not_found(f"voucher code {code_id}")
        if code["status"] != "active":
            raise bad_request("voucher_code_not_active", "only an active code can be reissued")
        code["status"] = "reissued"
        line = {k: code[k] for k in ("product_name", "no_of_fqdns", "no_of_wildcards")}
        line["validity_years"] = code["validity_years"]
        line["product_name_id"] = code["product_name_id"]
        _new_code(sb, order_id, line, iso(sb.now()), code["redeem_by"])
        new = max(order_codes(sb, order_id), key=lambda c: c["id"])
        new["replaces_code_id"] = code_id
        sb.store.save()
    return new


def voucher_order_view(sb: Sandbox, order: Record) -> Record:
    codes = order_codes(sb, order["id"])
    within = is_within_days(parse_iso(order["date_created"]), sb.now(), CANCEL_DAYS)
    all_active = all(c["status"] == "active" for c in codes)
    can_cancel = order["status"] == "completed" and within and all_active
    return {**order, "can_cancel": can_cancel, "codes_count": len(codes)}


def get_voucher_order(sb: Sandbox, order_id: int) -> Record:
    order = sb.store.get("voucher_orders", order_id)
    if order is None:
        raise not_found(f"voucher order {order_id}")
    return order


def list_voucher_orders(sb: Sandbox, search: str | None, status: str | None) -> list[Record]:
    orders = sorted(sb.store.table("voucher_orders").values(), key=lambda o: -o["id"])
    found = []
    for order in orders:
        text = "\n".join(str(order.get(k) or "") for k in ("id", "customer_name", "notes"))
        if search and search not in text:
            continue
        if status and order["status"] != status:
            continue
        found.append(voucher_order_view(sb, order))
    return found


def cancel_voucher_order(sb: Sandbox, order_id: int) -> None:
    with sb.store.lock:
        order = get_voucher_order(sb, order_id)
        if not voucher_order_view(sb, order)["can_cancel"]:
            raise bad_request(
                "voucher_order_cannot_be_canceled",
                "only a completed order within 30 days whose codes are all active can be canceled",
            )
        order["status"] = "cancelled"
        for code in order_codes(sb, order_id):
            code["status"] = "cancelled"
        sb.store.save()


def codes_csv(sb: Sandbox, order_id: int) -> bytes:
    get_voucher_order(sb, order_id)
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for code in order_codes(sb, order_id):
        writer.writerow(_csv_row(sb, code))
    return out.getvalue().encode("utf-8-sig")


def _csv_row(sb: Sandbox, code: Record) -> Record:
    row = {**code, "shipping_method": "N/A", "voucher_validity_end_date": code["redeem_by"]}
    order = sb.store.get("orders", code["certificate_order_id"] or 0)
    if order is not None:
        cert = sb.store.get("certificates", order["certificate_id"]) or {}
        row.update(
            cert_request_date=order["date_created"],
            cert_validity_start_date=cert.get("valid_from") or "",
            cert_validity_end_date=cert.get("valid_till") or "",
            cert_organization=order["organization"].get("name") or "",
            cert_common_name=cert.get("common_name", ""),
            order_valid_from=order.get("order_valid_from") or "",
            order_valid_till=order.get("order_valid_till") or "",
            server_licenses=1,
        )
    return row


def redeem(sb: Sandbox, value: str, product: str, names: list[str], order_id: int) -> Record:
    """Mark the code used by ``order_id`` after checking product, counts and redeem-by."""
    code = next((c for c in sb.store.table("codes").values() if c["value"] == value), None)
    if code is None or code["status"] != "active":
        raise bad_request("invalid_voucher_code", "voucher_code is not an active code")
    if sb.today().isoformat() > code["redeem_by"]:
        raise bad_request("voucher_code_expired", "voucher_code is past its redeem-by date")
    if code["product_name_id"] != product:
        raise bad_request("voucher_product_mismatch", "voucher_code is for another product")
    wildcards = sum(1 for n in names if n.startswith("*."))
    if wildcards > code["no_of_wildcards"] or len(names) - wildcards > code["no_of_fqdns"]:
        raise SandboxApiError(
            400, "voucher_names_exceeded", "more names than the voucher's FQDN/wildcard counts"
        )
    code["status"] = "used"
    code["certificate_order_id"] = order_id
    return code


def release(sb: Sandbox, value: str) -> None:
    """A certificate order canceled within 30 days gives its code back (same redeem-by)."""
    for code in sb.store.table("codes").values():
        if code["value"] == value and code["status"] == "used":
            code["status"] = "active"
            code["certificate_order_id"] = None
