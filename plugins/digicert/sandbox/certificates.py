"""Certificate-level calls: revoke a certificate, download it with its chain."""

from __future__ import annotations

from typing import Any

from plugins.digicert.sandbox.errors import bad_request, not_found
from plugins.digicert.sandbox.orders import get_order
from plugins.digicert.sandbox.store import Record
from plugins.digicert.sandbox.upstream import Sandbox, iso


def revoke(sb: Sandbox, certificate_id: int, body: dict[str, Any]) -> Record:
    with sb.store.lock:
        cert = sb.store.get("certificates", certificate_id)
        if cert is None:
            raise not_found(f"certificate {certificate_id}")
        if cert["status"] == "revoked":
            raise bad_request("certificate_already_revoked", "the certificate is already revoked")
        if cert["status"] != "issued":
            raise bad_request("certificate_not_issued", "only an issued certificate can be revoked")
        approved = sb.config.auto_approve_revocations
        request_id = len(sb.store.table("revocations")) + 1
        revocation = {
            "id": request_id,
            "date": iso(sb.now()),
            "type": "revoke",
            "status": "approved" if approved else "pending",
            "certificate_id": certificate_id,
            "reason": body.get("reason", "unspecified"),
            "comments": body.get("comments", ""),
        }
        sb.store.put("revocations", request_id, revocation)
        if approved:
            cert["status"] = "revoked"
            order = get_order(sb, cert["order_id"])
            if order["certificate_id"] == certificate_id:
                order["status"] = "revoked"
        sb.store.save()
    return revocation


def download(sb: Sandbox, certificate_id: int, fmt: str) -> tuple[bytes, str]:
    cert = sb.store.get("certificates", certificate_id)
    if cert is None:
        raise not_found(f"certificate {certificate_id}")
    if not cert["pem"]:
        raise bad_request("certificate_not_issued", "the certificate is not issued yet")
    if fmt == "pem_all":
        return sb.ca.pem_bundle(cert["pem"]).encode("ascii"), "application/x-pem-file"
    if fmt == "pem_noroot":
        bundle = sb.ca.pem_bundle(cert["pem"], with_root=False)
        return bundle.encode("ascii"), "application/x-pem-file"
    if fmt == "p7b":
        return sb.ca.pkcs7(cert["pem"]), "application/x-pkcs7-certificates"
    raise bad_request("invalid_format", "format must be pem_all, pem_noroot or p7b")
