"""A tenant's provider and payment-adapter accounts: plugin code, plain settings, sealed
credentials. The view model masks every credential; only ``plugin_account`` decrypts, for the
plugin object itself (``PluginAccount`` hides credentials from ``repr``)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from core.context import Context
from core.contracts.common import ConfigField, PluginAccount
from core.egress import Egress
from core.errors import FieldError
from tenants.audit import audit
from tenants.credentials import Keyring, Sealed, associated_data, mask
from tenants.errors import CredentialsUnreadable, raise_if, refuse
from tenants.jsonvalues import as_dict
from tenants.scoping import scoped, scoped_tenant_id
from tenants.tables import ProviderAccount

PURPOSE = "provider-account"
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class PluginKind(StrEnum):
    PROVIDER = "provider"
    PAYMENT = "payment"


@dataclass(frozen=True)
class ProviderAccountView:
    """What a console page may show: settings in clear, credentials masked (``••••abcd``)."""

    id: int
    kind: str
    plugin_code: str
    settings: dict[str, Any]
    credentials: dict[str, str]
    enabled: bool


def seal_credentials(keyring: Keyring, tenant_id: int, credentials: dict[str, str]) -> Sealed:
    plaintext = json.dumps(credentials, ensure_ascii=False, sort_keys=True).encode()
    return keyring.seal(plaintext, associated_data(tenant_id, PURPOSE))


def open_credentials(keyring: Keyring, tenant_id: int, sealed: Sealed) -> dict[str, str]:
    if not sealed.ciphertext:
        return {}
    return json.loads(keyring.open(sealed, associated_data(tenant_id, PURPOSE)))


def _check(kind: str, plugin_code: str, settings: Any, credentials: Any) -> list[FieldError]:
    errors = []
    if kind not in {k.value for k in PluginKind}:
        errors.append(FieldError("kind", "tenants.plugin_kind_invalid"))
    if not _CODE.match(plugin_code):
        errors.append(FieldError("plugin_code", "tenants.plugin_code_invalid"))
    try:
        json.dumps(settings)
        valid_settings = isinstance(settings, dict)
    except (TypeError, ValueError):
        valid_settings = False
    if not valid_settings:
        errors.append(FieldError("settings", "tenants.settings_invalid"))
    if credentials is not None and not (
        isinstance(credentials, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in credentials.items())
    ):
        errors.append(FieldError("credentials", "tenants.credentials_invalid"))
    return errors


async def url_errors(
    fields: tuple[ConfigField, ...], settings: dict[str, Any], egress: Egress
) -> list[FieldError]:
    """The refusals of the ``url`` fields of ``settings`` (empty ones are left to ``required``)."""
    errors: list[FieldError] = []
    for field in fields:
        value = settings.get(field.name)
        if field.kind == "url" and isinstance(value, str) and value.strip():
            errors += await egress.field_errors(field.name, value.strip())
    return errors


async def save_account(
    ctx: Context,
    keyring: Keyring,
    kind: str,
    plugin_code: str,
    settings: dict[str, Any],
    credentials: dict[str, str] | None = None,
    enabled: bool = True,
    *,
    fields: tuple[ConfigField, ...] = (),
    egress: Egress | None = None,
) -> ProviderAccountView:
    """Create or replace the tenant's account of a plugin. ``credentials=None`` keeps the
    stored ones (a form that leaves the secret fields blank changes only the settings).

    ``fields`` is the plugin's ``config_fields``: each ``url`` field's value must pass the
    egress rule (``core.egress``, production's unless ``egress`` is given), refused otherwise as
    an error on that field (``egress.url_not_public`` …). The plugin checks it again when it
    connects."""
    raise_if(_check(kind, plugin_code, settings, credentials))
    raise_if(await url_errors(fields, settings, egress or Egress()))
    tenant_id = scoped_tenant_id(ctx)
    now = ctx.clock.now()
    where = (ProviderAccount.kind == kind) & (ProviderAccount.plugin_code == plugin_code)
    row = await scoped(ProviderAccount, ctx).objects().where(where).first()
    values: dict[str, Any] = {"settings": settings, "enabled": enabled, "updated_at": now}
    if credentials is not None:
        sealed = seal_credentials(keyring, tenant_id, credentials)
        values["credentials_ciphertext"] = sealed.ciphertext
        values["credentials_key_id"] = sealed.key_id
    if row is None:
        row = scoped(ProviderAccount, ctx).new(
            kind=kind, plugin_code=plugin_code, created_at=now, **values
        )
        await row.save()
    else:
        await (
            scoped(ProviderAccount, ctx)
            .update({getattr(ProviderAccount, k): v for k, v in values.items()})
            .where(ProviderAccount.id == row.id)
        )
    details = {"plugin_code": plugin_code, "credentials_changed": credentials is not None}
    await audit(ctx, "provider_account.saved", "provider_account", row.id, details)
    return await view_account(ctx, keyring, row.id)


def _sealed(row: ProviderAccount) -> Sealed:
    return Sealed(row.credentials_key_id, row.credentials_ciphertext)


def _view(row: ProviderAccount, credentials: dict[str, str]) -> ProviderAccountView:
    return ProviderAccountView(
        id=row.id,
        kind=row.kind,
        plugin_code=row.plugin_code,
        settings=as_dict(row.settings),
        credentials={name: mask(value) for name, value in credentials.items()},
        enabled=row.enabled,
    )


async def view_account(ctx: Context, keyring: Keyring, account_id: int) -> ProviderAccountView:
    query = scoped(ProviderAccount, ctx).objects().where(ProviderAccount.id == account_id)
    row = await query.first()
    if row is None:
        refuse("account", "tenants.provider_account_unknown")
    return _view(row, open_credentials(keyring, row.tenant, _sealed(row)))


async def list_accounts(ctx: Context, keyring: Keyring) -> list[ProviderAccountView]:
    rows = await scoped(ProviderAccount, ctx).objects().order_by(ProviderAccount.id)
    return [_view(row, open_credentials(keyring, row.tenant, _sealed(row))) for row in rows]


async def plugin_account(
    ctx: Context,
    keyring: Keyring,
    kind: str,
    plugin_code: str,
    secret_key: str,
    public_url: str,
    egress: Egress | None = None,
) -> PluginAccount:
    """What the plugin object is built with: settings, decrypted credentials, and the rule for
    connecting to URLs in the settings (``egress``; production's rule when not given)."""
    where = (ProviderAccount.kind == kind) & (ProviderAccount.plugin_code == plugin_code)
    row = await scoped(ProviderAccount, ctx).objects().where(where).first()
    return _plugin_account(keyring, row, secret_key, public_url, egress)


async def plugin_account_by_id(
    ctx: Context,
    keyring: Keyring,
    account_id: int,
    secret_key: str,
    public_url: str,
    egress: Egress | None = None,
) -> PluginAccount:
    """The same as ``plugin_account``, for a provider account named by its id."""
    query = scoped(ProviderAccount, ctx).objects().where(ProviderAccount.id == account_id)
    return _plugin_account(keyring, await query.first(), secret_key, public_url, egress)


def _plugin_account(
    keyring: Keyring,
    row: ProviderAccount | None,
    secret_key: str,
    public_url: str,
    egress: Egress | None,
) -> PluginAccount:
    if row is None or not row.enabled:
        refuse("account", "tenants.provider_account_unknown")
    return PluginAccount(
        config=as_dict(row.settings),
        credentials=open_credentials(keyring, row.tenant, _sealed(row)),
        secret_key=secret_key,
        public_url=public_url,
        egress=egress or Egress(),
    )


@dataclass(frozen=True)
class Reencrypted:
    resealed: int
    unreadable: tuple[int, ...]
    """Accounts sealed with a key the keyring does not hold: left as they are, for a person."""


async def reencrypt_all(keyring: Keyring) -> Reencrypted:
    """Re-seal every credential not sealed with the current key, across all tenants: the
    maintenance step after rotating the secret key. One unreadable row does not stop the rest."""
    rows = await ProviderAccount.objects().where(
        (ProviderAccount.credentials_key_id != keyring.current_id)
        & (ProviderAccount.credentials_ciphertext != "")
    )
    unreadable: list[int] = []
    for row in rows:
        try:
            clear = open_credentials(keyring, row.tenant, _sealed(row))
        except CredentialsUnreadable:
            unreadable.append(row.id)
            continue
        fresh = seal_credentials(keyring, row.tenant, clear)
        await ProviderAccount.update(
            {
                ProviderAccount.credentials_ciphertext: fresh.ciphertext,
                ProviderAccount.credentials_key_id: fresh.key_id,
            }
        ).where(
            (ProviderAccount.id == row.id)
            & (ProviderAccount.credentials_key_id == row.credentials_key_id)
        )
    return Reencrypted(resealed=len(rows) - len(unreadable), unreadable=tuple(unreadable))
