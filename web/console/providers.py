"""Provider and payment settings (``/console/providers``, ``provider_accounts.manage``).

Every registered provider and payment adapter is listed with the tenant's account of it, if
any. The edit form is drawn from the plugin class's ``config_fields``: text, int, choice and
bool fields show their stored value; **secret fields are write-only**: the page says only
whether one is stored, never its value nor a part of it, and leaving one blank keeps it.
Stored through ``tenants.provider_accounts.save_account`` (sealed, audited).

A plugin that can test its account (``core.contracts.common.ConnectionTester``) gets a
*save and test connection* button: the form is saved, then the plugin makes one cheap
authenticated call to its upstream and the page names what failed (host unreachable, key
refused, wrong URL, URL not allowed) in the tenant's language.

The list says plainly why a payment method cannot be offered to customers (``unavailable``):
not set up (card: the Stripe keys; bank transfer: the receiving account), a required setting
missing, or switched off.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from core.contracts.common import ConfigField, ConnectionCheck, ConnectionTester
from core.errors import FieldError, ValidationFailed
from tenants.credentials import Keyring, Sealed
from tenants.jsonvalues import as_dict
from tenants.provider_accounts import (
    PluginKind,
    open_credentials,
    plugin_account,
    save_account,
)
from tenants.roles import Permission
from tenants.scoping import scoped
from tenants.tables import ProviderAccount
from web.console.access import SignedInStaff, not_found, staff
from web.console.pages import page
from web.controllers.auth import by_field, redirect, web_state

PATH = "/console/providers"
WHY = "web.console_settings.providers.unavailable_"
NOT_SET_UP = {"card": WHY + "card", "bank_transfer": WHY + "bank_transfer"}
"""What a missing payment account means, in the words of the method; others: ``WHY + "not_set"``."""


def unavailable(kind: str, code: str, row: ProviderAccount | None, missing: bool) -> str | None:
    """The message id saying why customers cannot pay with ``code``, or None if they can."""
    if kind != PluginKind.PAYMENT.value:
        return None
    if row is None or missing:
        return NOT_SET_UP.get(code, WHY + "not_set")
    if not row.enabled:
        return WHY + "disabled"
    return None


def _missing(request: Request[Any, Any, Any], cls: type, row: ProviderAccount | None) -> bool:
    """True when a required setting or credential of the stored account is empty."""
    if row is None:
        return False
    values = {**as_dict(row.settings), **_stored(request, row)}
    required = (f.name for f in getattr(cls, "config_fields", ()) if f.required)
    return any(not str(values.get(name, "")).strip() for name in required)


def _plugins(request: Request[Any, Any, Any]) -> dict[str, dict[str, type]]:
    registry = web_state(request).registry
    return {
        PluginKind.PROVIDER.value: dict(sorted(registry.providers.items())),
        PluginKind.PAYMENT.value: dict(sorted(registry.payment_adapters.items())),
    }


async def _row(me: SignedInStaff, kind: str, code: str) -> ProviderAccount | None:
    where = (ProviderAccount.kind == kind) & (ProviderAccount.plugin_code == code)
    return await scoped(ProviderAccount, me.ctx).objects().where(where).first()


def _stored(request: Request[Any, Any, Any], row: ProviderAccount | None) -> dict[str, str]:
    """The decrypted credentials, for merging a partial update; never sent to a page."""
    if row is None or not row.credentials_ciphertext:
        return {}
    keyring = Keyring.from_settings(web_state(request).settings)
    sealed = Sealed(row.credentials_key_id, row.credentials_ciphertext)
    return open_credentials(keyring, row.tenant, sealed)


def _is_secret(field: ConfigField) -> bool:
    return field.secret or field.kind == "secret"


def _read(
    fields: tuple[ConfigField, ...], data: Any, stored: dict[str, str]
) -> tuple[dict[str, Any], dict[str, str] | None, dict[str, FieldError], dict[str, str]]:
    """Settings, new credentials (None: keep the stored ones), errors, and what to show again
    (never a secret)."""
    settings: dict[str, Any] = {}
    secrets: dict[str, str] = {}
    errors: dict[str, FieldError] = {}
    shown: dict[str, str] = {}
    for field in fields:
        raw = str(data.get(field.name, "")).strip()
        if _is_secret(field):
            if raw:
                secrets[field.name] = raw
            elif field.required and field.name not in stored:
                errors[field.name] = FieldError(field.name, "tenants.field_required")
            continue
        shown[field.name] = raw
        if field.kind == "bool":
            settings[field.name] = raw in ("1", "on", "true")
        elif not raw:
            if field.required:
                errors[field.name] = FieldError(field.name, "tenants.field_required")
        elif field.kind == "int":
            if raw.isdigit():
                settings[field.name] = int(raw)
            else:
                errors[field.name] = FieldError(field.name, "web.console_settings.number_invalid")
        elif field.kind == "choice" and raw not in field.choices:
            errors[field.name] = FieldError(field.name, "web.console_settings.choice_invalid")
        else:
            settings[field.name] = raw
    credentials = {**stored, **secrets} if secrets else None
    return settings, credentials, errors, shown


async def _form(
    request: Request[Any, Any, Any],
    me: SignedInStaff,
    kind: str,
    code: str,
    cls: type,
    *,
    errors: dict[str, FieldError] | None = None,
    shown: dict[str, str] | None = None,
    enabled: bool | None = None,
    check: ConnectionCheck | None = None,
) -> Response[Any]:
    row = await _row(me, kind, code)
    stored_names = set(_stored(request, row))
    settings = as_dict(row.settings) if row is not None else {}
    values = shown if shown is not None else {k: str(v) for k, v in settings.items()}
    fields = [
        {"field": f, "secret": _is_secret(f), "stored": f.name in stored_names,
         "value": "" if _is_secret(f) else values.get(f.name, "")}
        for f in getattr(cls, "config_fields", ())
    ]  # fmt: skip
    return page(
        request, me, "pages/console/settings/provider.html",
        status=400 if errors else 200, section="providers", kind=kind, code=code,
        fields=fields, errors=errors or {},
        enabled=enabled if enabled is not None else (row.enabled if row is not None else True),
        configured=row is not None, testable=_testable(cls), check=_check_view(check),
    )  # fmt: skip


def _testable(cls: type) -> bool:
    return callable(getattr(cls, "test_connection", None))


def _check_view(check: ConnectionCheck | None) -> dict[str, Any] | None:
    if check is None:
        return None
    problem = check.problem.value if check.problem is not None else "ok"
    return {
        "ok": check.ok,
        "message_id": f"web.console_settings.connection.{problem}",
        "params": check.params,
    }


async def _test(
    request: Request[Any, Any, Any], me: SignedInStaff, kind: str, code: str, cls: type
) -> ConnectionCheck | None:
    """Build the plugin with the saved account and let it test its upstream."""
    state = web_state(request)
    account = await plugin_account(
        me.ctx, Keyring.from_settings(state.settings), kind, code,
        state.settings.secret_key, state.settings.public_url, state.egress,
    )  # fmt: skip
    plugin = cls(account)
    if not isinstance(plugin, ConnectionTester):
        return None
    return await plugin.test_connection()


class ConsoleProviders(Controller):
    path = PATH
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await staff(request, Permission.PROVIDER_ACCOUNTS_MANAGE)
        if not isinstance(me, SignedInStaff):
            return me
        rows = await scoped(ProviderAccount, me.ctx).objects()
        accounts = {(r.kind, r.plugin_code): r for r in rows}
        groups = [
            {"kind": kind, "plugins": [
                {"code": code, "configured": (kind, code) in accounts,
                 "enabled": row.enabled if row is not None else False,
                 "unavailable": unavailable(kind, code, row, _missing(request, cls, row))}
                for code, cls in plugins.items()
                for row in [accounts.get((kind, code))]
            ]}
            for kind, plugins in _plugins(request).items()
        ]  # fmt: skip
        return page(
            request, me, "pages/console/settings/providers.html", section="providers",
            groups=groups,
        )  # fmt: skip

    @get("/{kind:str}/{code:str}")
    async def edit(
        self, request: Request[Any, Any, Any], kind: FromPath[str], code: FromPath[str]
    ) -> Response[Any]:
        me = await staff(request, Permission.PROVIDER_ACCOUNTS_MANAGE)
        if not isinstance(me, SignedInStaff):
            return me
        cls = _plugins(request).get(kind, {}).get(code)
        if cls is None:
            return not_found(request)
        return await _form(request, me, kind, code, cls)

    @post("/{kind:str}/{code:str}")
    async def save(
        self, request: Request[Any, Any, Any], kind: FromPath[str], code: FromPath[str]
    ) -> Response[Any]:
        me = await staff(request, Permission.PROVIDER_ACCOUNTS_MANAGE)
        if not isinstance(me, SignedInStaff):
            return me
        cls = _plugins(request).get(kind, {}).get(code)
        if cls is None:
            return not_found(request)
        data = await request.form()
        stored = _stored(request, await _row(me, kind, code))
        fields = tuple(getattr(cls, "config_fields", ()))
        settings, credentials, errors, shown = _read(fields, data, stored)
        enabled = data.get("enabled", "") in ("1", "on")
        if errors:
            return await _form(
                request, me, kind, code, cls, errors=errors, shown=shown, enabled=enabled
            )
        keyring = Keyring.from_settings(web_state(request).settings)
        try:
            await save_account(
                me.ctx, keyring, kind, code, settings, credentials, enabled,
                fields=fields, egress=web_state(request).egress,
            )  # fmt: skip
        except ValidationFailed as exc:
            return await _form(
                request, me, kind, code, cls, errors=by_field(exc.errors), shown=shown,
                enabled=enabled,
            )  # fmt: skip
        if data.get("action", "") == "test" and _testable(cls):
            try:
                check = await _test(request, me, kind, code, cls)
            except ValidationFailed as exc:  # a disabled account is not built
                return await _form(
                    request, me, kind, code, cls, errors=by_field(exc.errors), enabled=enabled
                )
            return await _form(request, me, kind, code, cls, check=check)
        return redirect(f"{PATH}?notice=saved")
