"""API keys per tenant: ``shk_<prefix>_<secret>``, shown once, stored as SHA-256 of the secret.

The prefix is public (it finds the row and names the key in lists); the secret has 256 bits of
entropy, so a plain SHA-256 is enough and lookups stay fast. Comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.clock import Clock
from core.context import Actor, ActorKind, Context, TenantRef
from core.errors import FieldError
from tenants.audit import audit
from tenants.errors import raise_if, refuse
from tenants.jsonvalues import as_list
from tenants.onboarding import tenant_ref
from tenants.scoping import scoped
from tenants.tables import ApiKey, Tenant, TenantStatus
from tenants.validation import nfkc, required

TAG = "shk"
SCOPES: tuple[str, ...] = (
    "checkout:write",
    "orders:read",
    "orders:write",
    "certificates:read",
    "certificates:write",
    "customers:read",
    "customers:write",
)


LAST_USED_PRECISION = timedelta(minutes=1)
"""``last_used_at`` is written at most once a minute per key: not a write on every API call."""


@dataclass(frozen=True)
class CreatedApiKey:
    """The one time the whole key is visible."""

    id: int
    name: str
    prefix: str
    key: str
    scopes: tuple[str, ...]
    expires_at: datetime | None

    def __repr__(self) -> str:
        return f"CreatedApiKey(id={self.id}, prefix={self.prefix!r}, key=<hidden>)"


@dataclass(frozen=True)
class ApiKeyView:
    id: int
    name: str
    prefix: str
    scopes: tuple[str, ...]
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class ApiKeyPrincipal:
    tenant: TenantRef
    key_id: int
    scopes: tuple[str, ...]

    def actor(self, ip_address: str | None = None) -> Actor:
        return Actor(
            ActorKind.API_KEY, str(self.key_id), f"API key {self.key_id}", None, ip_address
        )

    def allows(self, scope: str) -> bool:
        return scope in self.scopes


MAX_KEY_LENGTH = 200  # far longer than any key this module makes


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


async def create_api_key(
    ctx: Context, name: str, scopes: list[str], expires_at: datetime | None = None
) -> CreatedApiKey:
    name = nfkc(name)
    errors = required("name", name)
    errors += [
        FieldError("scopes", "tenants.scope_unknown", {"scope": s})
        for s in scopes
        if s not in SCOPES
    ]
    if not scopes:
        errors.append(FieldError("scopes", "tenants.field_required"))
    if expires_at is not None and expires_at <= ctx.clock.now():
        errors.append(FieldError("expires_at", "tenants.expiry_in_past"))
    raise_if(errors)
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    row = scoped(ApiKey, ctx).new(
        name=name[:100],
        prefix=prefix,
        secret_hash=_digest(secret),
        scopes=sorted(set(scopes)),
        expires_at=expires_at,
        created_at=ctx.clock.now(),
    )
    await row.save()
    await audit(ctx, "api_key.created", "api_key", row.id, {"prefix": prefix, "scopes": row.scopes})
    return CreatedApiKey(
        row.id, name, prefix, f"{TAG}_{prefix}_{secret}", tuple(row.scopes), expires_at
    )


async def list_api_keys(ctx: Context) -> list[ApiKeyView]:
    rows = await scoped(ApiKey, ctx).objects().order_by(ApiKey.id, ascending=False)
    return [
        ApiKeyView(
            r.id, r.name, r.prefix, tuple(as_list(r.scopes)), r.expires_at, r.revoked_at,
            r.last_used_at, r.created_at,
        )
        for r in rows
    ]  # fmt: skip


async def revoke_api_key(ctx: Context, key_id: int) -> None:
    changed = (
        await scoped(ApiKey, ctx)
        .update({ApiKey.revoked_at: ctx.clock.now()})
        .where((ApiKey.id == key_id) & ApiKey.revoked_at.is_null())
        .returning(ApiKey.id)
    )
    if not changed:
        refuse("api_key", "tenants.api_key_unknown")
    await audit(ctx, "api_key.revoked", "api_key", key_id)


async def authenticate(key: str, clock: Clock) -> ApiKeyPrincipal:
    """The tenant and scopes of a presented key; refused with a distinct message id per reason:
    ``api_key_invalid`` (malformed, unknown or wrong secret), ``api_key_revoked``,
    ``api_key_expired``, ``tenant_not_active``."""
    parts = key.strip().split("_", 2)
    if not key.isascii() or not key.isprintable() or len(key) > MAX_KEY_LENGTH:
        refuse("api_key", "tenants.api_key_invalid")
    if len(parts) != 3 or parts[0] != TAG or not parts[1] or not parts[2]:
        refuse("api_key", "tenants.api_key_invalid")
    row = await ApiKey.objects().where(ApiKey.prefix == parts[1]).first()
    if row is None or not hmac.compare_digest(row.secret_hash, _digest(parts[2])):
        refuse("api_key", "tenants.api_key_invalid")
    now = clock.now()
    if row.revoked_at is not None:
        refuse("api_key", "tenants.api_key_revoked")
    if row.expires_at is not None and row.expires_at <= now:
        refuse("api_key", "tenants.api_key_expired")
    tenant = await Tenant.objects().where(Tenant.id == row.tenant).first()
    if tenant is None or tenant.status != TenantStatus.ACTIVE.value:
        refuse("api_key", "tenants.tenant_not_active")
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_PRECISION:
        await ApiKey.update({ApiKey.last_used_at: now}).where(ApiKey.id == row.id)
    return ApiKeyPrincipal(tenant_ref(tenant), row.id, tuple(as_list(row.scopes)))
