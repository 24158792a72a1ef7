"""Piccolo tables of the tenants app."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import Boolean, ForeignKey, Timestamptz, Varchar
from piccolo.table import Table


class TenantStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    SUSPENDED = "suspended"


class StaffRole(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    FINANCE = "finance"
    SUPPORT = "support"
    READ_ONLY = "read_only"


class Tenant(Table, tablename="tenant"):
    """A hosting company or other certificate seller (販売店・パートナー)."""

    slug = Varchar(length=63, unique=True)
    name = Varchar(length=255)
    status = Varchar(length=16, default=TenantStatus.PENDING.value)
    language = Varchar(length=2, default="ja")
    time_zone = Varchar(length=64, default="Asia/Tokyo")
    created_at = Timestamptz()


class Operator(Table, tablename="operator"):
    """A person who runs the SaaS itself: approves tenants, never sees customers' secrets."""

    email = Varchar(length=255, unique=True)
    display_name = Varchar(length=255)
    password_hash = Varchar(length=255)
    created_at = Timestamptz()


class StaffUser(Table, tablename="staff_user"):
    """A tenant's employee, with one role."""

    tenant = ForeignKey(references=Tenant, null=False)
    email = Varchar(length=255, unique=True)
    display_name = Varchar(length=255)
    password_hash = Varchar(length=255)
    role = Varchar(length=16, default=StaffRole.READ_ONLY.value)
    must_change_password = Boolean(default=True)
    created_at = Timestamptz()
