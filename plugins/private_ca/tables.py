"""The private CA's own tables: one CA per tenant and every certificate it issued."""

from __future__ import annotations

from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class TenantCA(Table, tablename="private_ca_authority"):
    """A tenant's root and intermediate CA; the private keys are stored sealed, never clear."""

    tenant_id = Integer(unique=True)
    root_certificate_pem = Text()
    root_key_sealed = Text()
    intermediate_certificate_pem = Text()
    intermediate_key_sealed = Text()
    created_at = Timestamptz()


class SignedCertificate(Table, tablename="private_ca_certificate"):
    """A certificate the tenant's intermediate signed; revocation is recorded once, never undone."""

    tenant_id = Integer(index=True)
    idempotency_key = Varchar(length=255)
    request_digest = Varchar(length=64)
    serial = Varchar(length=40)
    not_before = Timestamptz()
    not_after = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
    revocation_reason = Varchar(length=32, null=True, default=None)
    certificate_pem = Text()
    # Unique indexes on (tenant_id, idempotency_key) and (tenant_id, serial) are created by
    # hand in the migration: Piccolo's Unique constraint needs ALTER TABLE, which SQLite lacks.
