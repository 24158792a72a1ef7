"""Certificate orders: order, read, list, DCV, issue, reissue, cancel."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization

from core.calendar_windows import is_within_days
from core.certificates.csr import parse_csr
from core.errors import ValidationFailed
from plugins.digicert.sandbox import dcv, vouchers
from plugins.digicert.sandbox.errors import bad_request, not_found
from plugins.digicert.sandbox.store import Record
from plugins.digicert.sandbox.upstream import Sandbox, iso, parse_iso

YEAR_DAYS = 365
CANCEL_DAYS = 30
"""発行完了後 30 日以内, in Japan's calendar (``core.calendar_windows``)."""
HASHES = ("sha256", "sha384", "sha512")


def create_order(sb: Sandbox, product_id: str, body: dict[str, Any]) -> Record:
    product = sb.config.products.get(product_id)
    if product is None:
        raise not_found(f"product {product_id}")
    spec = _certificate_spec(body.get("certificate"))
    organization = body.get("organization") or {}
    if not isinstance(organization, dict) or not (
        organization.get("id") or organization.get("name")
    ):
        raise bad_request("missing_organization", "organization needs an id or a name")
    method = body.get("dcv_method", "http-token")
    if method not in dcv.METHODS:
        raise bad_request("invalid_dcv_method", "dcv_method contains an invalid value.")
    if method == "http-token" and any(n.startswith("*.") for n in spec["names"]):
        raise bad_request("invalid_dcv_method", "http-token cannot validate a wildcard name")
    years = body.get("validity_years", 1)
    if not isinstance(years, int) or not 1 <= years <= 6:
        raise bad_request("invalid_validity_years", "validity_years must be between 1 and 6")
    with sb.store.lock:
        order_id = sb.store.next_id("order")
        voucher = body.get("voucher_code")
        if voucher:
            code = vouchers.redeem(sb, str(voucher), product_id, spec["names"], order_id)
            years = code["validity_years"]
        now = iso(sb.now())
        order: Record = {
            "id": order_id,
            "product": {"name_id": product_id, "name": product.name},
            "status": "pending",
            "validity_years": years,
            "coverage_days": years * YEAR_DAYS,
            "dcv_method": method,
            "dcv_random_value": None,
            "organization": {k: organization[k] for k in ("id", "name") if organization.get(k)},
            "date_created": now,
            "comments": body.get("comments"),
            "voucher_code": voucher or None,
            "order_valid_from": None,
            "order_valid_till": None,
            "first_issued_at": None,
            "validated": [],
        }
        sb.store.put("orders", order_id, order)
        _new_certificate(sb, order, spec)
        answer = _request_answer(sb, order)
        sb.store.save()
    return answer


def _certificate_spec(data: Any) -> Record:
    if not isinstance(data, dict):
        raise bad_request("missing_certificate", "certificate is a required parameter")
    common_name = data.get("common_name")
    if not isinstance(common_name, str) or not common_name:
        raise bad_request("missing_common_name", "common_name is a required parameter")
    dns_names = data.get("dns_names") or []
    if not isinstance(dns_names, list) or not all(isinstance(n, str) for n in dns_names):
        raise bad_request("invalid_dns_names", "dns_names must be a list of names")
    csr = data.get("csr")
    if not isinstance(csr, str):
        raise bad_request("missing_csr", "csr is a required parameter")
    try:
        parse_csr(csr)
    except ValidationFailed as exc:
        raise bad_request("invalid_csr", f"csr was refused: {exc}") from None
    signature_hash = data.get("signature_hash", "sha256")
    if signature_hash not in HASHES:
        raise bad_request("invalid_signature_hash", "signature_hash contains an invalid value.")
    names = list(dict.fromkeys([common_name, *dns_names]))
    return {
        "common_name": common_name,
        "dns_names": dns_names,
        "names": names,
        "csr": csr,
        "signature_hash": signature_hash,
    }


def _new_certificate(sb: Sandbox, order: Record, spec: Record) -> None:
    """Attach a new (pending) certificate to ``order``; start DCV for names not yet shown."""
    cert_id = sb.store.next_id("certificate")
    sb.store.put(
        "certificates",
        cert_id,
        {
            "id": cert_id,
            "order_id": order["id"],
            "common_name": spec["common_name"],
            "dns_names": spec["dns_names"],
            "names": spec["names"],
            "csr": spec["csr"],
            "signature_hash": spec["signature_hash"],
            "status": "pending",
            "serial_number": None,
            "valid_from": None,
            "valid_till": None,
            "pem": None,
            "date_created": iso(sb.now()),
        },
    )
    order["certificate_id"] = cert_id
    pending = _pending_names(sb, order)
    if not pending:
        _issue(sb, order)
        return
    if order["dcv_method"] == "http-token":
        order["dcv_random_value"] = dcv.new_token(sb)
    else:
        dcv.send_approval_emails(sb, order, pending)


def _pending_names(sb: Sandbox, order: Record) -> list[str]:
    cert = sb.store.get("certificates", order["certificate_id"]) or {}
    return [n for n in cert.get("names", []) if n not in order["validated"]]


def _request_answer(sb: Sandbox, order: Record) -> Record:
    cert = sb.store.get("certificates", order["certificate_id"]) or {}
    return {
        "id": order["id"],
        "certificate_id": order["certificate_id"],
        "requests": [{"id": order["certificate_id"], "status": cert.get("status", "pending")}],
        "dcv_random_value": order["dcv_random_value"] if _pending_names(sb, order) else None,
    }


def _issue(sb: Sandbox, order: Record) -> None:
    cert = sb.store.get("certificates", order["certificate_id"])
    assert cert is not None
    now = sb.now()
    if order["first_issued_at"] is None:
        order["first_issued_at"] = iso(now)
        order["order_valid_from"] = now.date().isoformat()
        order["order_valid_till"] = (
            (now + timedelta(days=order["coverage_days"])).date().isoformat()
        )
        order["coverage_end"] = iso(now + timedelta(days=order["coverage_days"]))
    remaining = max((parse_iso(order["coverage_end"]) - now).days, 1)
    leaf = sb.ca.issue(
        csr_pem=cert["csr"],
        common_name=cert["common_name"],
        dns_names=tuple(cert["names"]),
        organization=order["organization"].get("name"),
        not_before=now,
        requested_days=remaining,
        signature_hash=cert["signature_hash"],
    )
    cert.update(
        status="issued",
        serial_number=format(leaf.serial_number, "x"),
        valid_from=iso(leaf.not_valid_before_utc),
        valid_till=iso(leaf.not_valid_after_utc),
        pem=leaf.public_bytes(serialization.Encoding.PEM).decode("ascii"),
    )
    order["status"] = "issued"


def get_order(sb: Sandbox, order_id: int) -> Record:
    order = sb.store.get("orders", order_id)
    if order is None:
        raise not_found(f"order {order_id}")
    return order


def order_view(sb: Sandbox, order: Record) -> Record:
    cert = dict(sb.store.get("certificates", order["certificate_id"]) or {})
    cert.pop("pem", None)
    cert.pop("names", None)
    hidden = ("validated", "coverage_end", "coverage_days")
    return {**{k: v for k, v in order.items() if k not in hidden}, "certificate": cert}


def list_orders(sb: Sandbox, search: str | None) -> list[Record]:
    found = []
    for order in sorted(sb.store.table("orders").values(), key=lambda o: -o["id"]):
        view = order_view(sb, order)
        text = "\n".join(
            [str(order["id"]), order.get("comments") or "", view["certificate"]["common_name"]]
        )
        if not search or search in text:
            found.append(view)
    return found


def dcv_view(sb: Sandbox, order: Record) -> Record:
    cert = sb.store.get("certificates", order["certificate_id"]) or {}
    pending = _pending_names(sb, order)
    return {
        "order_id": order["id"],
        "dcv_method": order["dcv_method"],
        "dcv_status": "pending" if pending else "complete",
        "dcv_random_value": order["dcv_random_value"] if pending else None,
        "file_path": dcv.TOKEN_PATH if order["dcv_method"] == "http-token" else None,
        "domains": [
            {"name": n, "dcv_status": "pending" if n in pending else "complete"}
            for n in cert.get("names", [])
        ],
    }


async def check_dcv(sb: Sandbox, order_id: int) -> Record:
    order = get_order(sb, order_id)
    pending = _pending_names(sb, order)
    if order["dcv_method"] != "http-token" or not pending:
        raise bad_request("invalid_dcv_check", "nothing to check by http-token on this order")
    missing = [n for n in pending if not await dcv.token_found(sb, n, order["dcv_random_value"])]
    with sb.store.lock:
        order["validated"].extend(n for n in pending if n not in missing)
        if missing:
            sb.store.save()
            raise bad_request(
                "dcv_token_not_found", "random value not found for " + ", ".join(missing)
            )
        _issue(sb, order)
        sb.store.save()
    cert = sb.store.get("certificates", order["certificate_id"]) or {}
    return {
        "order_status": order["status"],
        "certificate_status": cert["status"],
        "dcv_status": "complete",
    }


def approve_email(sb: Sandbox, token: str) -> Record:
    with sb.store.lock:
        approval = sb.store.get("approvals", token)
        if approval is None:
            raise not_found("approval")
        order = get_order(sb, approval["order_id"])
        if approval["name"] not in order["validated"]:
            order["validated"].append(approval["name"])
        if order["status"] in ("pending", "reissue_pending") and not _pending_names(sb, order):
            _issue(sb, order)
        sb.store.save()
        return order


def reissue(sb: Sandbox, order_id: int, body: dict[str, Any]) -> Record:
    with sb.store.lock:
        order = get_order(sb, order_id)
        if order["status"] != "issued":
            raise bad_request("order_cannot_be_reissued", "only an issued order can be reissued")
        spec = _certificate_spec(body.get("certificate"))
        if order["dcv_method"] == "http-token" and any(n.startswith("*.") for n in spec["names"]):
            raise bad_request("invalid_dcv_method", "http-token cannot validate a wildcard name")
        order["status"] = "reissue_pending"
        _new_certificate(sb, order, spec)
        answer = _request_answer(sb, order)
        sb.store.save()
    return answer


def update_status(sb: Sandbox, order_id: int, body: dict[str, Any]) -> None:
    if body.get("status") != "canceled":
        raise bad_request("invalid_status", "status must be canceled")
    with sb.store.lock:
        order = get_order(sb, order_id)
        cert = sb.store.get("certificates", order["certificate_id"]) or {}
        first = order["first_issued_at"]
        recent = first is not None and is_within_days(parse_iso(first), sb.now(), CANCEL_DAYS)
        if order["status"] == "pending" or (order["status"] == "issued" and recent):
            order["status"] = "canceled"
            cert["status"] = "revoked" if cert.get("pem") else "canceled"
            if order["voucher_code"]:
                vouchers.release(sb, order["voucher_code"])
            sb.store.save()
            return
    raise bad_request("order_cannot_be_canceled", f"an order {order['status']} cannot be canceled")
