"""Piccolo tables of the tenants app.

Every tenant-owned table keeps the tenant in a column named ``tenant_id`` (the Python attribute
is ``tenant``, a foreign key). Rows are read and written through ``tenants.scoping``, which
refuses to run outside a tenant scope. Composite unique indexes and the audit log's
append-only trigger are created by a hand-written migration.
"""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import (
    JSON,
    Boolean,
    Bytea,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table


class TenantStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REJECTED = "rejected"  # an operator refused the sign-up (final; the reason is audited)


class StaffRole(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    FINANCE = "finance"
    SUPPORT = "support"
    READ_ONLY = "read_only"


class ContactRole(StrEnum):
    """The four contacts of an end-customer company (SECOM-style account information)."""

    REGISTRANT = "registrant"  # 登録担当者
    TECHNICAL = "technical"  # 技術担当者
    BILLING = "billing"  # 事務担当者
    CONTRACT_OFFICER = "contract_officer"  # 契約責任者


class Tenant(Table, tablename="tenant"):
    """A hosting company or other certificate seller (販売店・パートナー)."""

    slug = Varchar(length=63, unique=True)
    name = Varchar(length=255)  # display name
    organization_name = Varchar(length=255, default="")
    organization_name_kana = Varchar(length=255, default="")  # フリガナ, from the sign-up
    contact_name = Varchar(length=255, default="")
    contact_email = Varchar(length=255, default="")
    postal_code = Varchar(length=8, default="")
    prefecture = Varchar(length=8, default="")
    address = Varchar(length=255, default="")
    phone = Varchar(length=20, default="")
    registration_number = Varchar(length=14, default="")  # T + 13 digits (適格請求書発行事業者)
    status = Varchar(length=16, default=TenantStatus.PENDING.value)
    language = Varchar(length=2, default="ja")
    time_zone = Varchar(length=64, default="Asia/Tokyo")
    custom_domain = Varchar(length=253, null=True, default=None, unique=True)
    logo_url = Varchar(length=500, default="")
    primary_colour = Varchar(length=7, default="#1F4E79")
    accent_colour = Varchar(length=7, default="#F2A900")
    footer_text = Varchar(length=500, default="")
    tax_rounding = Varchar(length=8, default="down")
    default_payment_term = Varchar(length=12, default="NET30")
    created_at = Timestamptz()
    status_changed_at = Timestamptz(null=True, default=None)


class TenantBrand(Table, tablename="tenant_brand"):
    """What a tenant's customers see besides its name, colours and footer (columns of
    ``tenant``): the support address, the logo (kept in the database, so every web process
    serves it), and the notices of 特定商取引法 (通信販売の表示事項) shown at
    ``/legal/tokushoho``. One row per tenant, made on the first save (``tenants.branding``)."""

    tenant = ForeignKey(references=Tenant, null=False, unique=True, db_column_name="tenant_id")
    support_email = Varchar(length=255, default="")
    logo = Bytea(default=b"")
    logo_type = Varchar(length=16, default="")  # image/png | image/jpeg
    logo_sha256 = Varchar(length=64, default="")
    logo_width = Integer(default=0)
    logo_height = Integer(default=0)
    legal = JSON(default={})  # the notices by name (tenants.branding.LEGAL_FIELDS)
    updated_at = Timestamptz()


class LoginMixin:
    """Columns every login (operator, staff, customer user) has."""

    email = Varchar(length=255)
    display_name = Varchar(length=255)
    password_hash = Varchar(length=255)
    must_change_password = Boolean(default=True)
    email_verified_at = Timestamptz(null=True, default=None)
    recent_failures = JSON(default=[])  # ISO times of failed logins inside the lockout window
    locked_until = Timestamptz(null=True, default=None)
    last_login_at = Timestamptz(null=True, default=None)
    active = Boolean(default=True)
    created_at = Timestamptz()


class Operator(LoginMixin, Table, tablename="operator"):
    """A person who runs the SaaS itself: approves tenants, never sees customers' secrets."""

    email = Varchar(length=255, unique=True)


class StaffUser(LoginMixin, Table, tablename="staff_user"):
    """A tenant's employee, with one role; e-mail unique per tenant."""

    tenant = ForeignKey(references=Tenant, null=False, db_column_name="tenant_id")
    role = Varchar(length=16, default=StaffRole.READ_ONLY.value)
    totp_ciphertext = Text(default="")  # sealed with tenants.credentials; empty = no 2FA
    totp_key_id = Varchar(length=16, default="")
    totp_enabled = Boolean(default=False)
    totp_last_step = Integer(default=0)  # refuses a code's replay within its time step


class Customer(Table, tablename="customer"):
    """An end-customer company (利用企業) of one tenant."""

    tenant = ForeignKey(references=Tenant, null=False, db_column_name="tenant_id")
    organization_name = Varchar(length=255)
    postal_code = Varchar(length=8, default="")
    prefecture = Varchar(length=8, default="")
    address = Varchar(length=255, default="")
    phone = Varchar(length=20, default="")
    created_at = Timestamptz()


class CustomerContact(Table, tablename="customer_contact"):
    """One of a customer's four contacts; one per role (unique index)."""

    tenant = ForeignKey(references=Tenant, null=False, db_column_name="tenant_id")
    customer = ForeignKey(references=Customer, null=False, on_delete=OnDelete.cascade)
    role = Varchar(length=20)
    name = Varchar(length=255)
    department = Varchar(length=255, default="")
    email = Varchar(length=255)
    phone = Varchar(length=20)
    updated_at = Timestamptz()


class CustomerUser(LoginMixin, Table, tablename="customer_user"):
    """A login of an end-customer company; e-mail unique per tenant."""

    tenant = ForeignKey(references=Tenant, null=False, db_column_name="tenant_id")
    customer = ForeignKey(references=Customer, null=False, on_delete=OnDelete.cascade)


class OneTimeToken(Table, tablename="one_time_token"):
    """An e-mail verification or password reset token, stored as its SHA-256 only."""

    tenant_id = Integer(null=True, default=None)  # None for operators' tokens
    purpose = Varchar(length=20)
    account_kind = Varchar(length=16)
    account_id = Integer()
    token_hash = Varchar(length=64, unique=True)
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()


class ApiKey(Table, tablename="api_key"):
    """A tenant's API key: a public prefix and the SHA-256 of its secret."""

    tenant = ForeignKey(references=Tenant, null=False, db_column_name="tenant_id")
    name = Varchar(length=100)
    prefix = Varchar(length=16, unique=True)
    secret_hash = Varchar(length=64)
    scopes = JSON(default=[])
    expires_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    last_used_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()


class ProviderAccount(Table, tablename="provider_account"):
    """A tenant's configuration of one provider or payment adapter; credentials sealed."""

    tenant = ForeignKey(references=Tenant, null=False, db_column_name="tenant_id")
    kind = Varchar(length=16)  # provider | payment
    plugin_code = Varchar(length=64)
    settings = JSON(default={})
    credentials_ciphertext = Text(default="")
    credentials_key_id = Varchar(length=16, default="")
    enabled = Boolean(default=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class DelegationConsent(Table, tablename="delegation_consent"):
    """A tenant owner's consent that operators act inside the tenant (代行納品) until
    ``expires_at``, unless revoked first. Each delegated action is audited with
    ``on_behalf_of`` (``tenants.delegation``)."""

    tenant = ForeignKey(references=Tenant, null=False, db_column_name="tenant_id")
    granted_by = Integer()  # the staff member (owner) who consented
    granted_by_name = Varchar(length=255, default="")
    note = Varchar(length=500, default="")
    granted_at = Timestamptz()
    expires_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)


class AuditEntry(Table, tablename="audit_entry"):
    """Append-only: who did what to which object, when and from where.

    ``tenant_id`` is a plain integer, not a foreign key: deleting a tenant must not cascade
    into its audit trail (PostgreSQL refuses UPDATE/DELETE here by trigger).
    """

    tenant_id = Integer(index=True)
    actor_kind = Varchar(length=16)
    actor_id = Varchar(length=64)
    actor_name = Varchar(length=255, default="")
    on_behalf_of = Varchar(length=255, null=True, default=None)
    action = Varchar(length=64)
    object_type = Varchar(length=64, default="")
    object_id = Varchar(length=64, default="")
    ip_address = Varchar(length=45, null=True, default=None)
    details = JSON(default={})
    occurred_at = Timestamptz()
