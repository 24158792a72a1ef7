"""OpenAPI examples of the DigiCert API routes (``plugins/digicert/api.py``,
``api_certificates.py``); the helpers ``ok`` and ``body`` are ``web.api.examples``'."""

from __future__ import annotations

from plugins.digicert.exports import CODE_COLUMNS, ORDER_COLUMNS

CODE = {
    "id": 501, "voucher_order_id": 77, "value": "K3M9Q2X7B8N4R6T1V5W0Y2Z8A4C6E9G1",
    "status": "active", "product_name_id": "ssl_basic", "product_name": "Basic OV",
    "no_of_fqdns": 2, "no_of_wildcards": 0, "validity_years": 1,
    "created_at": "2026-11-22T09:00:00Z", "redeem_by": "2027-11-22",
    "redeem_link": "https://www.digicert.com/secure/voucher/redeem?vc=K3M9Q2X7B8N4R6T1V5W0Y2Z8A4C6E9G1",
    "renewal_redeem_link": "https://www.digicert.com/secure/voucher/renew?vc=K3M9Q2X7B8N4R6T1V5W0Y2Z8A4C6E9G1",
    "upstream_id": 10001, "replaces_code_id": None,
}  # fmt: skip
VOUCHER_ORDER = {
    "id": 77, "upstream_id": 7001, "status": "completed", "customer_name": "株式会社サンプル",
    "notes": "代理店経由", "payment_method": "bank_transfer",
    "lines": [{"product": "ssl_basic", "name_ja": "ベーシックOV", "name_en": "Basic OV",
               "quantity": 1, "years": 1, "fqdns": 2, "wildcards": 0, "unit_price": 44_000,
               "amount": 44_000}],
    "total": 44_000, "balance_before": 0, "balance_after": 0, "invoice_id": 301,
    "created_at": "2026-11-22T09:00:00Z", "expiration_date": "2027-11-22",
    "created_by": "山田 太郎", "on_behalf_of": None, "can_cancel": True, "codes": [CODE],
}  # fmt: skip
CANCELLED_ORDER = {
    **VOUCHER_ORDER, "status": "cancelled", "can_cancel": False,
    "codes": [{**CODE, "status": "cancelled"}],
}  # fmt: skip
CONVERTED = {
    **VOUCHER_ORDER, "payment_method": "coupon", "total": 0, "invoice_id": None,
    "lines": [], "can_cancel": False,
    "codes": [{**CODE, "no_of_fqdns": 4, "redeem_by": "2027-03-31"}],
}  # fmt: skip
VOUCHER_ORDER_IN = {
    "payment_method": "bank_transfer", "customer_name": "株式会社サンプル", "notes": "代理店経由",
    "lines": [{"product": "ssl_basic", "quantity": 1, "years": 1, "fqdns": 2, "wildcards": 0}],
}  # fmt: skip
ORDERS_CSV = (
    "\ufeff" + ",".join(ORDER_COLUMNS) + "\r\n"
    "7001,株式会社サンプル,completed,44000,2026-11-22,2027-11-22,代理店経由\r\n"
)
CODES_CSV = "\ufeff" + ",".join(CODE_COLUMNS) + "\r\n10001,K3M9Q2X7B8N4R6T1V5W0Y2Z8A4C6E9G1,…\r\n"
COUPON = {
    "number": "1234567890123456", "product_name_id": "ssl_basic", "expires_on": "2027-03-31",
    "expired": False, "converted": False, "voucher_code": None,
}  # fmt: skip
CONVERT_IN = {"coupons": ["1234567890123456", "6543210987654321"]}
CSR = (
    "-----BEGIN CERTIFICATE REQUEST-----\n"
    "MIIBSzCB8gIBADAZMRcwFQYDVQQDDA53d3cuc2hvcC50ZXN0…\n"
    "-----END CERTIFICATE REQUEST-----\n"
)
CERTIFICATE = {
    "id": 9001, "code_id": 501, "customer_id": 7, "status": "issued", "upstream_order_id": 1000001,
    "certificate_id": 5000001, "common_name": "www.example.jp",
    "dns_names": ["www.example.jp", "example.jp"], "dcv_random_value": "",
    "requested_at": "2026-11-22T09:00:00Z", "issued_at": "2026-11-22T09:20:00Z",
    "pem_chain": "-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----\n",
    "valid_till": "2027-12-24",
}  # fmt: skip
PENDING = {
    **CERTIFICATE, "status": "pending", "certificate_id": None, "issued_at": None,
    "pem_chain": "", "valid_till": "", "dcv_random_value": "x9c2m4k7q1w8e5r3t6y0u2i4o7p9a1s3",
}  # fmt: skip
REDEEM_IN = {
    "code": "K3M9Q2X7B8N4R6T1V5W0Y2Z8A4C6E9G1", "csr": CSR, "organization_name": "株式会社サンプル",
    "dcv_method": "http-token", "customer_id": 7,
}  # fmt: skip
DIRECT_IN = {
    "product": "ssl_basic", "years": 1, "csr": CSR, "organization_name": "株式会社サンプル",
    "payment_method": "bank_transfer", "dcv_method": "http-token", "customer_id": 7,
}  # fmt: skip
DIRECT_ORDER = {
    "id": 12, "status": "completed", "product_name_id": "ssl_basic", "validity_years": 1,
    "no_of_fqdns": 2, "no_of_wildcards": 0, "payment_method": "bank_transfer", "total": 44_000,
    "invoice_id": 302, "certificate": PENDING,
}  # fmt: skip
PEM_CHAIN = "".join(
    f"-----BEGIN CERTIFICATE-----\n({part})\n-----END CERTIFICATE-----\n"
    for part in ("leaf", "intermediate", "root")
)
P7B = (
    "-----BEGIN PKCS7-----\n"
    "MIIGJgYJKoZIhvcNAQcCoIIGFzCCBhMCAQExADALBgkqhkiG9w0BBwGgggX7…\n"
    "-----END PKCS7-----\n"
)
