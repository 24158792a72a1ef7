"""Piccolo tables of the catalog app: products, wholesale price tables and retail prices.

Composite unique indexes are created by hand in a migration (SQLite has no ADD CONSTRAINT):
products on (tenant_id, provider_account_id, code), contracts on (tenant_id,
provider_account_id), retail prices on (tenant_id, product_id, term_months), accepted payment
methods on (tenant_id, product_id).
"""

from __future__ import annotations

from piccolo.columns import JSON, Boolean, Date, Integer, Timestamptz, Varchar
from piccolo.table import Table


class Product(Table, tablename="catalog_product"):
    """A product one provider account sells through one tenant (names in Japanese and English)."""

    tenant_id = Integer(index=True)
    provider_account_id = Integer()
    provider_code = Varchar(length=64)
    code = Varchar(length=64)
    name_ja = Varchar(length=255)
    name_en = Varchar(length=255)
    kind = Varchar(length=16)
    validation = Varchar(length=8)
    terms_months = JSON()
    max_fqdns = Integer(default=0)
    max_wildcards = Integer(default=0)
    wholesale_name = Varchar(length=255, default="")
    created_at = Timestamptz()
    enabled = Boolean(default=True)
    """Offered in the shop and orderable; a disabled product keeps its prices and its orders."""


class WholesaleContract(Table, tablename="catalog_wholesale_contract"):
    """A wholesale contract (覚書) with one provider account, and its price table's digest."""

    tenant_id = Integer(index=True)
    provider_account_id = Integer()
    contract_end = Date()
    source_digest = Varchar(length=64)
    imported_at = Timestamptz()


class WholesalePrice(Table, tablename="catalog_wholesale_price"):
    """One row of a price table: a product's item (base, additional FQDN, wildcard) for one term."""

    tenant_id = Integer(index=True)
    contract_id = Integer(index=True)
    row_number = Integer()
    product_name = Varchar(length=255)
    product_code = Varchar(length=64, default="")
    item = Varchar(length=16)
    term_months = Integer()
    list_price = Integer()
    discount_rate = Varchar(length=16)
    offered_price = Integer()


class MarkupRule(Table, tablename="catalog_markup_rule"):
    """A tenant's retail markup over wholesale: percent (basis points) or fixed yen, rounded up."""

    tenant_id = Integer(unique=True)
    kind = Varchar(length=16)
    value = Integer()
    round_to = Integer(default=1)
    updated_at = Timestamptz()


class RetailPrice(Table, tablename="catalog_retail_price"):
    """An explicit retail price for one product and term; it wins over the markup rule."""

    tenant_id = Integer(index=True)
    product_id = Integer(index=True)
    term_months = Integer()
    base = Integer()
    per_additional_fqdn = Integer(default=0)
    per_wildcard = Integer(default=0)
    updated_at = Timestamptz()
    markup_bp = Integer(null=True, default=None)
    """When set, the term's price is this markup (basis points) over the wholesale price,
    and ``base``/``per_*`` are unused; when null, they are the fixed retail price."""


class ProductPaymentMethods(Table, tablename="catalog_product_payment_method"):
    """The payment methods (adapter codes) a product accepts, when the tenant narrowed them.
    No row: every method the tenant has enabled. Unique (tenant_id, product_id)."""

    tenant_id = Integer(index=True)
    product_id = Integer()
    methods = JSON()
    updated_at = Timestamptz()
