"""Staff and roles (``/console/staff``, owners only: ``staff.manage``) and the consent to
delegated access (代行納品) on the same page.

- **Invite**: ``tenants.staff.add_staff`` with a random password nobody sees, then a password
  link by e-mail (the outbox's ``auth.password_reset_requested``, as the reset page records
  it); the person chooses their own password.
- **Change role** (the last owner cannot be demoted) and **deactivate / reactivate**
  (``tenants.staff.set_active``: the login stops working; nobody deactivates themselves).
- **Consent**: the owner lets operators act inside the tenant for 1 to 90 days, or revokes
  it (``tenants.delegation``); what operators do is audited under their names.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from core.context import Actor, ActorKind, Context
from core.db import bound_engine
from core.errors import FieldError, ValidationFailed
from core.sealing import Keyring
from tenants.delegation import MAX_DAYS, current_consent, grant_consent, revoke_consent
from tenants.logins import AccountKind
from tenants.password_changes import request_password_reset
from tenants.roles import Permission
from tenants.staff import add_staff, change_role, list_staff, set_active
from tenants.tables import StaffRole
from tenants.tokens import LIFETIMES, TokenPurpose
from web.console.access import SignedInStaff, not_found, staff
from web.console.confirm import Confirmation, confirm_page, confirmed
from web.console.listing import formatter
from web.console.pages import page
from web.controllers.auth import by_field, redirect, web_state
from web.mail_outbox import PasswordResetMail, password_reset_requested
from web.pages import translator

PATH = "/console/staff"
ROLES = tuple(role.value for role in StaffRole)
EMPTY_FORM = {"email": "", "display_name": "", "role": "read_only", "days": "7", "note": ""}


async def _page(
    request: Request[Any, Any, Any],
    me: SignedInStaff,
    *,
    errors: dict[str, FieldError] | None = None,
    form: dict[str, str] | None = None,
) -> Response[Any]:
    fmt = formatter(request, me.ctx)
    consent = await current_consent(me.ctx.tenant, me.ctx.clock)
    return page(
        request, me, "pages/console/settings/staff.html",
        status=400 if errors else 200, section="staff",
        people=await list_staff(me.ctx), roles=ROLES, me_id=me.staff_id,
        consent=consent, consent_until=fmt.moment(consent.expires_at) if consent else "",
        max_days=MAX_DAYS, errors=errors or {},
        form=form or EMPTY_FORM,
    )  # fmt: skip


def _form(values: dict[str, str]) -> dict[str, str]:
    """What the page's two forms show: the posted values over the empty ones."""
    return {**EMPTY_FORM, **values}


async def _invite_mail(request: Request[Any, Any, Any], me: SignedInStaff, email: str) -> None:
    """The e-mail with a link to choose a password (the reset page's token and mail)."""
    token = await request_password_reset(AccountKind.STAFF, email, me.ctx.clock)
    if token is None:
        return
    people = {p.email: p for p in await list_staff(me.ctx)}
    person = people[email]
    url = f"{request.url.scheme}://{request.url.netloc}/console/password/reset/confirm?"
    url += urlencode({"token": token})
    system = Actor(ActorKind.SYSTEM, "staff-invite", ip_address=me.ctx.actor.ip_address)
    await password_reset_requested(
        Context(tenant=me.ctx.tenant, actor=system, clock=me.ctx.clock),
        Keyring.from_settings(web_state(request).settings),
        PasswordResetMail(
            to=email,
            display_name=person.display_name,
            language=translator(request).language,
            account_kind=AccountKind.STAFF.value,
            account_id=person.id,
            token=token,
            reset_url=url,
            expires_at=me.ctx.clock.now() + LIFETIMES[TokenPurpose.RESET_PASSWORD],
        ),
    )


class ConsoleStaff(Controller):
    path = PATH
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await staff(request, Permission.STAFF_MANAGE)
        if not isinstance(me, SignedInStaff):
            return me
        return await _page(request, me)

    @post("/")
    async def invite(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await staff(request, Permission.STAFF_MANAGE)
        if not isinstance(me, SignedInStaff):
            return me
        data = await request.form()
        form = {k: str(data.get(k, "")) for k in ("email", "display_name", "role")}
        try:
            async with bound_engine().transaction():
                view = await add_staff(
                    me.ctx, form["email"], form["display_name"], form["role"],
                    secrets.token_urlsafe(32),
                )  # fmt: skip
                await _invite_mail(request, me, view.email)
        except ValidationFailed as exc:
            return await _page(request, me, errors=by_field(exc.errors), form=_form(form))
        return redirect(f"{PATH}?notice=staff_invited")

    @post("/{staff_id:int}/role")
    async def role(self, request: Request[Any, Any, Any], staff_id: FromPath[int]) -> Response[Any]:
        me = await staff(request, Permission.STAFF_MANAGE)
        if not isinstance(me, SignedInStaff):
            return me
        role = str((await request.form()).get("role", ""))
        try:
            await change_role(me.ctx, staff_id, role)
        except ValidationFailed as exc:
            if exc.errors[0].message_id == "tenants.staff_unknown":
                return not_found(request)
            return await _page(request, me, errors=by_field(exc.errors))
        return redirect(f"{PATH}?notice=role_changed")

    @post("/{staff_id:int}/deactivate")
    async def deactivate(
        self, request: Request[Any, Any, Any], staff_id: FromPath[int]
    ) -> Response[Any]:
        return await _set_active(request, staff_id, False)

    @post("/{staff_id:int}/activate")
    async def activate(
        self, request: Request[Any, Any, Any], staff_id: FromPath[int]
    ) -> Response[Any]:
        return await _set_active(request, staff_id, True)

    @post("/consent")
    async def consent(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await staff(request, Permission.STAFF_MANAGE)
        if not isinstance(me, SignedInStaff):
            return me
        data = await request.form()
        form = {"days": str(data.get("days", "")), "note": str(data.get("note", ""))}
        days = int(form["days"]) if form["days"].strip().isdigit() else -1
        try:
            await grant_consent(me.ctx, days, form["note"])
        except ValidationFailed as exc:
            return await _page(request, me, errors=by_field(exc.errors), form=_form(form))
        return redirect(f"{PATH}?notice=consent_granted")

    @post("/consent/revoke")
    async def revoke(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await staff(request, Permission.STAFF_MANAGE)
        if not isinstance(me, SignedInStaff):
            return me
        if not confirmed(await request.form()):
            return confirm_page(
                request,
                me,
                Confirmation(
                    section="staff",
                    what="web.console.confirm.consent_revoke",
                    action=f"{PATH}/consent/revoke",
                    back=PATH,
                    button="web.console_settings.consent.revoke",
                ),
            )
        try:
            await revoke_consent(me.ctx)
        except ValidationFailed as exc:
            return await _page(request, me, errors=by_field(exc.errors))
        return redirect(f"{PATH}?notice=consent_revoked")


async def _set_active(
    request: Request[Any, Any, Any], staff_id: int, active: bool
) -> Response[Any]:
    me = await staff(request, Permission.STAFF_MANAGE)
    if not isinstance(me, SignedInStaff):
        return me
    if not active and not confirmed(await request.form()):
        person = next((p for p in await list_staff(me.ctx) if p.id == staff_id), None)
        if person is None:
            return not_found(request)
        return confirm_page(
            request,
            me,
            Confirmation(
                section="staff",
                what="web.console.confirm.staff_deactivate",
                params={"name": person.display_name, "email": person.email},
                action=f"{PATH}/{staff_id}/deactivate",
                back=PATH,
                button="web.console_settings.staff.deactivate",
            ),
        )
    try:
        await set_active(me.ctx, staff_id, active)
    except ValidationFailed as exc:
        if exc.errors[0].message_id == "tenants.staff_unknown":
            return not_found(request)
        return await _page(request, me, errors=by_field(exc.errors))
    return redirect(f"{PATH}?notice={'staff_activated' if active else 'staff_deactivated'}")
