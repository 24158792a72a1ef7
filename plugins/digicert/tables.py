"""Piccolo tables of the ``digicert`` app: contracts, voucher orders, voucher codes (the
entitlements), certificate redemptions and coupon conversions.

``tenant_id`` is a plain integer on every table and every query filters on the context's tenant.
``idempotency_key`` of a voucher order is ``{tenant_id}:{client key}``, so one unique column
keeps keys apart per tenant without a hand-written composite index.
"""

from __future__ import annotations

from piccolo.columns import JSON, Date, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class DcContract(Table, tablename="digicert_contract"):
    """A tenant's wholesale contract (覚書) with DigiCert: type, payment term, balance, and who
    issues the invoices (the provider) with its bank account. Prices live in core.catalog."""

    tenant_id = Integer(unique=True)
    provider_account_id = Integer()
    contract_type = Varchar(length=16, default="pay_as_you_go")
    payment_term = Varchar(length=12, default="NET30EOM")
    account_balance = Integer(default=0)
    issuer = JSON(default={})
    bank_account = JSON(default={})
    updated_at = Timestamptz()
    effective_on = Date(null=True, default=None)  # bulk: 発効日
    minimum_purchase = Integer(default=0)  # bulk: 最低購入レベル, yen before tax


class DcVoucherOrder(Table, tablename="digicert_voucher_order"):
    """One voucher order (バウチャーオーダー): its lines, totals, upstream id and invoice."""

    tenant_id = Integer(index=True)
    idempotency_key = Varchar(length=255, unique=True)
    request_digest = Varchar(length=64)
    upstream_id = Integer(null=True, default=None)
    status = Varchar(length=16, default="pending")
    customer_name = Varchar(length=255, default="")
    notes = Text(default="")
    payment_method = Varchar(length=16)
    lines = JSON(default=[])
    total = Integer(default=0)
    balance_before = Integer(default=0)
    balance_after = Integer(default=0)
    invoice_id = Integer(null=True, default=None)
    expiration_date = Date(null=True, default=None)
    created_at = Timestamptz()
    created_by = Varchar(length=255, default="")
    on_behalf_of = Varchar(length=255, null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)


class DcVoucherCode(Table, tablename="digicert_voucher_code"):
    """One voucher code: the entitlement (active / used / cancelled / reissued / expired)."""

    tenant_id = Integer(index=True)
    voucher_order_id = Integer(index=True)
    upstream_id = Integer()
    value = Varchar(length=32, index=True)
    product_name_id = Varchar(length=64)
    product_name = Varchar(length=255, default="")
    no_of_fqdns = Integer(default=0)
    no_of_wildcards = Integer(default=0)
    validity_years = Integer(default=1)
    status = Varchar(length=16, default="active")
    created_at = Timestamptz()
    redeem_by = Date()
    redeem_link = Varchar(length=500, default="")
    renewal_redeem_link = Varchar(length=500, default="")
    replaces_code_id = Integer(null=True, default=None)
    used_at = Timestamptz(null=True, default=None)
    customer_id = Integer(null=True, default=None)


class DcRedemption(Table, tablename="digicert_redemption"):
    """A certificate ordered upstream with one voucher code, and what came of it."""

    tenant_id = Integer(index=True)
    code_id = Integer(index=True)  # 0: bought directly, without a voucher (digicert_direct_order)
    customer_id = Integer(null=True, default=None)
    upstream_order_id = Integer(null=True, default=None)
    certificate_id = Integer(null=True, default=None)
    status = Varchar(length=16, default="pending")
    common_name = Varchar(length=253, default="")
    dns_names = JSON(default=[])
    organization_name = Varchar(length=255, default="")
    dcv_random_value = Varchar(length=128, default="")
    requested_at = Timestamptz()
    issued_at = Timestamptz(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)
    valid_from = Varchar(length=32, default="")
    valid_till = Varchar(length=32, default="")
    order_valid_from = Varchar(length=32, default="")
    order_valid_till = Varchar(length=32, default="")
    pem_chain = Text(default="")


class DcDirectOrder(Table, tablename="digicert_direct_order"):
    """A certificate bought without a voucher (直接購入): price, payment, invoice, and the
    certificate request (``digicert_redemption`` row without a code) it placed upstream."""

    tenant_id = Integer(index=True)
    idempotency_key = Varchar(length=255, unique=True)
    request_digest = Varchar(length=64)
    status = Varchar(length=16, default="pending")
    product_name_id = Varchar(length=64)
    validity_years = Integer(default=1)
    no_of_fqdns = Integer(default=0)
    no_of_wildcards = Integer(default=0)
    payment_method = Varchar(length=16)
    lines = JSON(default=[])
    total = Integer(default=0)
    invoice_id = Integer(null=True, default=None)
    redemption_id = Integer(null=True, default=None)
    customer_id = Integer(null=True, default=None)
    created_at = Timestamptz()
    created_by = Varchar(length=255, default="")


class DcCouponConversion(Table, tablename="digicert_coupon_conversion"):
    """A legacy 16-digit coupon converted once into a voucher that keeps its expiry."""

    tenant_id = Integer(index=True)
    coupon_number = Varchar(length=16, unique=True)
    product_name_id = Varchar(length=64)
    expires_on = Date()
    voucher_code_id = Integer(null=True, default=None)
    converted_at = Timestamptz()
