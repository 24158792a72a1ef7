"""Requests and answers of the CertCentral Services API v2, as typed dataclasses.

Only the fields shomei uses are typed; ``raw`` keeps the whole JSON object of an answer.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from plugins.digicert.idempotency import split_marker

Json = dict[str, Any]


@dataclass(frozen=True)
class VoucherLine:
    """One line of a voucher order: ``quantity`` codes of one product configuration."""

    product_name_id: str
    quantity: int = 1
    validity_years: int = 1
    no_of_fqdns: int = 1
    no_of_wildcards: int = 0

    def to_json(self) -> Json:
        return {
            "product_name_id": self.product_name_id,
            "quantity": self.quantity,
            "validity_years": self.validity_years,
            "no_of_fqdns": self.no_of_fqdns,
            "no_of_wildcards": self.no_of_wildcards,
        }


@dataclass(frozen=True)
class VoucherOrderRequest:
    vouchers: tuple[VoucherLine, ...]
    payment_method: str = "balance"
    customer_name: str | None = None
    notes: str | None = None

    def to_json(self, notes: str | None) -> Json:
        body: Json = {
            "vouchers": [line.to_json() for line in self.vouchers],
            "payment_method": self.payment_method,
        }
        if self.customer_name:
            body["customer_name"] = self.customer_name
        if notes:
            body["notes"] = notes
        return body


@dataclass(frozen=True)
class VoucherOrder:
    id: int
    status: str
    date_created: str
    can_cancel: bool
    customer_name: str | None
    notes: str | None
    idempotency_key: str | None
    cost: int
    lines: tuple[VoucherLine, ...]
    raw: Json = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Json) -> VoucherOrder:
        notes, key = split_marker(data.get("notes"))
        return cls(
            id=int(data["id"]),
            status=str(data["status"]),
            date_created=str(data["date_created"]),
            can_cancel=bool(data.get("can_cancel", False)),
            customer_name=data.get("customer_name"),
            notes=notes,
            idempotency_key=key,
            cost=int(data.get("cost", 0)),
            lines=tuple(_voucher_line(v) for v in data.get("vouchers", [])),
            raw=data,
        )


def _voucher_line(data: Json) -> VoucherLine:
    return VoucherLine(
        product_name_id=str(data["product_name_id"]),
        quantity=int(data.get("quantity", 1)),
        validity_years=int(data["validity_years"]),
        no_of_fqdns=int(data["no_of_fqdns"]),
        no_of_wildcards=int(data["no_of_wildcards"]),
    )


@dataclass(frozen=True)
class VoucherCode:
    id: int
    value: str
    voucher_order_id: int
    product_name_id: str
    no_of_fqdns: int
    no_of_wildcards: int
    validity_years: int
    status: str
    created_date: str
    redeem_by: str
    redeem_link: str
    renewal_redeem_link: str
    certificate_order_id: int | None
    raw: Json = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Json) -> VoucherCode:
        order_id = data.get("certificate_order_id")
        return cls(
            id=int(data["id"]),
            value=str(data["value"]),
            voucher_order_id=int(data["voucher_order_id"]),
            product_name_id=str(data["product_name_id"]),
            no_of_fqdns=int(data["no_of_fqdns"]),
            no_of_wildcards=int(data["no_of_wildcards"]),
            validity_years=int(data["validity_years"]),
            status=str(data["status"]),
            created_date=str(data["created_date"]),
            redeem_by=str(data["redeem_by"]),
            redeem_link=str(data["redeem_link"]),
            renewal_redeem_link=str(data["renewal_redeem_link"]),
            certificate_order_id=int(order_id) if order_id else None,
            raw=data,
        )


@dataclass(frozen=True)
class VoucherCodesCsv:
    """The CSV export as sent (UTF-8 with BOM, for Japanese Excel) and its parsed rows."""

    content: bytes
    rows: tuple[dict[str, str], ...]

    @classmethod
    def parse(cls, content: bytes) -> VoucherCodesCsv:
        text = content.decode("utf-8-sig")
        return cls(content, tuple(csv.DictReader(io.StringIO(text))))


@dataclass(frozen=True)
class Coupon:
    """A legacy 16-digit coupon as the converter shows it (有効期限, バウチャーへの変換)."""

    number: str
    product_name_id: str
    expires_on: str
    validity_years: int
    no_of_fqdns: int
    no_of_wildcards: int
    status: str
    voucher_code: str | None
    raw: Json = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Json) -> Coupon:
        return cls(
            number=str(data["number"]),
            product_name_id=str(data["product_name_id"]),
            expires_on=str(data["expires_on"]),
            validity_years=int(data.get("validity_years", 1)),
            no_of_fqdns=int(data.get("no_of_fqdns", 1)),
            no_of_wildcards=int(data.get("no_of_wildcards", 0)),
            status=str(data["status"]),
            voucher_code=data.get("voucher_code"),
            raw=data,
        )


@dataclass(frozen=True)
class Organization:
    """An organisation already known upstream (``id``) or a name to use (``name``)."""

    id: int | None = None
    name: str | None = None

    def to_json(self) -> Json:
        if self.id is not None:
            return {"id": self.id}
        if self.name:
            return {"name": self.name}
        raise ValueError("an organization needs an id or a name")


@dataclass(frozen=True)
class CertificateSpec:
    common_name: str
    dns_names: tuple[str, ...]
    csr: str
    signature_hash: str = "sha256"

    def to_json(self) -> Json:
        return {
            "common_name": self.common_name,
            "dns_names": list(self.dns_names),
            "csr": self.csr,
            "signature_hash": self.signature_hash,
        }


@dataclass(frozen=True)
class CertificateOrderRequest:
    """``POST /order/certificate/{product_name_id}``; ``voucher_code`` when redeeming one."""

    product_name_id: str
    certificate: CertificateSpec
    organization: Organization
    validity_years: int = 1
    dcv_method: str = "http-token"
    voucher_code: str | None = None
    comments: str | None = None

    def to_json(self, comments: str | None) -> Json:
        body: Json = {
            "certificate": self.certificate.to_json(),
            "organization": self.organization.to_json(),
            "validity_years": self.validity_years,
            "dcv_method": self.dcv_method,
        }
        if self.voucher_code:
            body["voucher_code"] = self.voucher_code
        if comments:
            body["comments"] = comments
        return body


@dataclass(frozen=True)
class OrderRequestAnswer:
    """What ``POST /order/certificate/...`` and ``.../reissue`` answer."""

    id: int
    certificate_id: int | None
    request_status: str
    dcv_random_value: str | None
    raw: Json = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Json) -> OrderRequestAnswer:
        requests = data.get("requests") or [{}]
        cert_id = data.get("certificate_id")
        return cls(
            id=int(data["id"]),
            certificate_id=int(cert_id) if cert_id else None,
            request_status=str(requests[0].get("status", "pending")),
            dcv_random_value=data.get("dcv_random_value"),
            raw=data,
        )


@dataclass(frozen=True)
class CertificateInfo:
    id: int
    common_name: str
    dns_names: tuple[str, ...]
    csr: str
    signature_hash: str
    status: str
    serial_number: str | None
    valid_from: str | None
    valid_till: str | None

    @classmethod
    def from_json(cls, data: Json) -> CertificateInfo:
        return cls(
            id=int(data["id"]),
            common_name=str(data["common_name"]),
            dns_names=tuple(data.get("dns_names", [])),
            csr=str(data.get("csr", "")),
            signature_hash=str(data.get("signature_hash", "sha256")),
            status=str(data.get("status", "pending")),
            serial_number=data.get("serial_number"),
            valid_from=data.get("valid_from"),
            valid_till=data.get("valid_till"),
        )


@dataclass(frozen=True)
class CertificateOrder:
    id: int
    status: str
    product_name_id: str
    certificate: CertificateInfo
    validity_years: int
    dcv_method: str
    date_created: str
    order_valid_from: str | None
    order_valid_till: str | None
    voucher_code: str | None
    comments: str | None
    idempotency_key: str | None
    raw: Json = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Json) -> CertificateOrder:
        comments, key = split_marker(data.get("comments"))
        return cls(
            id=int(data["id"]),
            status=str(data["status"]),
            product_name_id=str(data["product"]["name_id"]),
            certificate=CertificateInfo.from_json(data["certificate"]),
            validity_years=int(data.get("validity_years", 1)),
            dcv_method=str(data.get("dcv_method", "http-token")),
            date_created=str(data["date_created"]),
            order_valid_from=data.get("order_valid_from"),
            order_valid_till=data.get("order_valid_till"),
            voucher_code=data.get("voucher_code"),
            comments=comments,
            idempotency_key=key,
            raw=data,
        )


@dataclass(frozen=True)
class DomainValidation:
    name: str
    dcv_status: str


@dataclass(frozen=True)
class DcvStatus:
    """``GET /order/certificate/{id}/dcv``: where the token goes and what is validated."""

    order_id: int
    dcv_method: str
    dcv_status: str
    dcv_random_value: str | None
    file_path: str | None
    domains: tuple[DomainValidation, ...]

    @classmethod
    def from_json(cls, data: Json) -> DcvStatus:
        return cls(
            order_id=int(data["order_id"]),
            dcv_method=str(data["dcv_method"]),
            dcv_status=str(data["dcv_status"]),
            dcv_random_value=data.get("dcv_random_value"),
            file_path=data.get("file_path"),
            domains=tuple(
                DomainValidation(str(d["name"]), str(d["dcv_status"]))
                for d in data.get("domains", [])
            ),
        )


@dataclass(frozen=True)
class CheckDcvResult:
    """``PUT .../check-dcv``; ``dcv_status`` is ``pending`` when a token was not found."""

    order_status: str
    certificate_status: str
    dcv_status: str
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class RevocationRequest:
    id: int
    status: str
    type: str
    date: str

    @classmethod
    def from_json(cls, data: Json) -> RevocationRequest:
        return cls(
            id=int(data["id"]),
            status=str(data["status"]),
            type=str(data.get("type", "revoke")),
            date=str(data.get("date", "")),
        )


@dataclass(frozen=True)
class CertificateBundle:
    """``pem_all``: the leaf, then the intermediate(s), then the root, as PEM."""

    pem: str

    @property
    def certificates(self) -> tuple[str, ...]:
        marker = "-----END CERTIFICATE-----"
        parts = [p.strip() for p in self.pem.split(marker) if p.strip()]
        return tuple(f"{p}\n{marker}\n" for p in parts)

    @property
    def leaf(self) -> str:
        return self.certificates[0]

    @property
    def chain(self) -> tuple[str, ...]:
        return self.certificates[1:]
