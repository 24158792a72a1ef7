"""API keys of the tenant (``/console/api-keys``): create with scopes and an optional expiry,
the whole key shown once on the page that answers the creation (never again, never in a URL
or a redirect), list by prefix, revoke. Needs ``api_keys.manage``; rules in tenants.api_keys."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from core.errors import FieldError, ValidationFailed
from tenants.api_keys import SCOPES, CreatedApiKey, create_api_key, list_api_keys, revoke_api_key
from tenants.roles import Permission
from web.console.access import SignedInStaff, not_found, staff
from web.console.confirm import Confirmation, confirm_page, confirmed
from web.console.listing import formatter
from web.console.pages import page
from web.controllers.auth import by_field, redirect

PATH = "/console/api-keys"


def _expiry(text: str, time_zone: str) -> datetime | None:
    """The end of the chosen day in the tenant's time zone (``ValueError`` when malformed)."""
    if not text.strip():
        return None
    day = date.fromisoformat(text.strip())
    return datetime.combine(day + timedelta(days=1), time(), ZoneInfo(time_zone))


async def _page(
    request: Request[Any, Any, Any],
    me: SignedInStaff,
    *,
    created: CreatedApiKey | None = None,
    errors: dict[str, FieldError] | None = None,
    form: dict[str, Any] | None = None,
) -> Response[Any]:
    fmt = formatter(request, me.ctx)
    now = me.ctx.clock.now()
    keys = [
        {
            "view": key,
            "expires": fmt.moment(key.expires_at),
            "last_used": fmt.moment(key.last_used_at),
            "created": fmt.moment(key.created_at),
            "state": "revoked"
            if key.revoked_at
            else "expired"
            if key.expires_at and key.expires_at <= now
            else "active",
        }
        for key in await list_api_keys(me.ctx)
    ]
    return page(
        request, me, "pages/console/settings/api_keys.html",
        status=400 if errors else 200, section="api_keys", keys=keys, scopes=SCOPES,
        created=created, errors=errors or {},
        form=form or {"name": "", "scopes": [], "expires_on": ""},
    )  # fmt: skip


class ConsoleApiKeys(Controller):
    path = PATH
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await staff(request, Permission.API_KEYS_MANAGE)
        if not isinstance(me, SignedInStaff):
            return me
        return await _page(request, me)

    @post("/")
    async def create(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await staff(request, Permission.API_KEYS_MANAGE)
        if not isinstance(me, SignedInStaff):
            return me
        data = await request.form()
        form = {
            "name": data.get("name", ""),
            "scopes": [s for s in data.getall("scopes", []) if isinstance(s, str)],
            "expires_on": data.get("expires_on", ""),
        }
        try:
            expires_at = _expiry(form["expires_on"], me.ctx.tenant.time_zone)
        except ValueError:
            error = FieldError("expires_on", "web.console_settings.date_invalid")
            return await _page(request, me, errors={"expires_on": error}, form=form)
        try:
            created = await create_api_key(me.ctx, form["name"], form["scopes"], expires_at)
        except ValidationFailed as exc:
            errors = by_field(exc.errors, {"expires_at": "expires_on"})
            return await _page(request, me, errors=errors, form=form)
        return await _page(request, me, created=created)

    @post("/{key_id:int}/revoke")
    async def revoke(self, request: Request[Any, Any, Any], key_id: FromPath[int]) -> Response[Any]:
        me = await staff(request, Permission.API_KEYS_MANAGE)
        if not isinstance(me, SignedInStaff):
            return me
        key = next(
            (k for k in await list_api_keys(me.ctx) if k.id == key_id and k.revoked_at is None),
            None,
        )
        if key is None:  # unknown, another tenant's, or already revoked
            return not_found(request)
        if not confirmed(await request.form()):
            return confirm_page(
                request,
                me,
                Confirmation(
                    section="api_keys",
                    what="web.console.confirm.api_key_revoke",
                    params={"name": key.name},
                    action=f"{PATH}/{key_id}/revoke",
                    back=PATH,
                    button="web.console_settings.api_keys.revoke",
                ),
            )
        try:
            await revoke_api_key(me.ctx, key_id)
        except ValidationFailed:  # revoked meanwhile
            return not_found(request)
        return redirect(f"{PATH}?notice=api_key_revoked")
