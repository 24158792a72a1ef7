"""Staff roles and what each may do: the one permission table (docs/roles.md renders it)."""

from __future__ import annotations

from enum import StrEnum

from tenants.tables import StaffRole


class Permission(StrEnum):
    TENANT_SETTINGS = "tenant.settings"
    STAFF_MANAGE = "staff.manage"
    API_KEYS_MANAGE = "api_keys.manage"
    PROVIDER_ACCOUNTS_MANAGE = "provider_accounts.manage"
    CATALOG_MANAGE = "catalog.manage"
    ORDERS_VIEW = "orders.view"
    ORDERS_MANAGE = "orders.manage"
    VOUCHERS_MANAGE = "vouchers.manage"
    CUSTOMERS_VIEW = "customers.view"
    CUSTOMERS_MANAGE = "customers.manage"
    INVOICES_VIEW = "invoices.view"
    INVOICES_MANAGE = "invoices.manage"
    PAYMENTS_MANAGE = "payments.manage"
    AUDIT_VIEW = "audit.view"


DESCRIPTIONS: dict[Permission, str] = {
    Permission.TENANT_SETTINGS: "Change the company profile, branding, tax rounding, payment term",
    Permission.STAFF_MANAGE: "Add staff, change their roles, reset their passwords",
    Permission.API_KEYS_MANAGE: "Create and revoke API keys",
    Permission.PROVIDER_ACCOUNTS_MANAGE: "Configure providers and payment adapters (credentials)",
    Permission.CATALOG_MANAGE: "Set retail prices and the payment methods of each product",
    Permission.ORDERS_VIEW: "See orders, entitlements and certificates",
    Permission.ORDERS_MANAGE: "Place, cancel, reissue, revoke and renew on customers' behalf",
    Permission.VOUCHERS_MANAGE: "Generate, cancel and reissue vouchers",
    Permission.CUSTOMERS_VIEW: "See customer companies, contacts and logins",
    Permission.CUSTOMERS_MANAGE: "Add and edit customers, contacts and logins; unlock logins",
    Permission.INVOICES_VIEW: "See and download invoices",
    Permission.INVOICES_MANAGE: "Issue and void invoices",
    Permission.PAYMENTS_MANAGE: "Import bank statements, confirm payments, refund",
    Permission.AUDIT_VIEW: "Read the audit log",
}

_VIEW = frozenset({Permission.ORDERS_VIEW, Permission.CUSTOMERS_VIEW, Permission.INVOICES_VIEW})
PERMISSIONS: dict[StaffRole, frozenset[Permission]] = {
    StaffRole.OWNER: frozenset(Permission),
    StaffRole.ADMIN: frozenset(Permission) - {Permission.STAFF_MANAGE},
    StaffRole.FINANCE: _VIEW
    | {Permission.INVOICES_MANAGE, Permission.PAYMENTS_MANAGE, Permission.AUDIT_VIEW},
    StaffRole.SUPPORT: _VIEW
    | {Permission.ORDERS_MANAGE, Permission.VOUCHERS_MANAGE, Permission.CUSTOMERS_MANAGE},
    StaffRole.READ_ONLY: _VIEW,
}
"""Owner: everything. Admin: everything but staff management (owners manage people)."""


def can(role: StaffRole | str, permission: Permission) -> bool:
    return permission in PERMISSIONS[StaffRole(role)]


def roles_markdown() -> str:
    """The permission table as Markdown (docs/roles.md holds this text; a test compares)."""
    roles = list(StaffRole)
    lines = [
        "| permission | what it allows | " + " | ".join(r.value for r in roles) + " |",
        "| --- | --- | " + " | ".join("---" for _ in roles) + " |",
    ]
    for permission in Permission:
        marks = " | ".join("✓" if can(role, permission) else "" for role in roles)
        lines.append(f"| `{permission.value}` | {DESCRIPTIONS[permission]} | {marks} |")
    return "\n".join(lines) + "\n"
