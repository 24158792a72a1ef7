"""The customer's account: company details (アカウント情報), the four contacts, the sign-in
e-mail. The password is changed on the portal's ``/portal/password/change`` (current
password required, ``tenants.password_changes.change_password``); this page links to it.

- ``GET /portal/account``; ``POST …/company`` (``tenants.customers.update_customer``);
  ``POST …/contact`` (``role`` + the contact's fields, ``tenants.customers.set_contact``).
  A refusal re-shows the page with what was typed and the message under the field it names.
- ``POST …/email``: ``tenants.email_change.start_email_change`` and, in the same
  transaction, the outbox event ``auth.email_change_requested`` to the **new** address with
  the confirmation link. The address changes only when that link is followed:
  ``GET …/email/confirm?token=…`` shows the address and a button (a mail scanner fetching the
  link changes nothing), ``POST …/email/confirm`` spends the token and writes the address.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect

from core import outbox
from core.db import bound_engine
from core.errors import FieldError, ValidationFailed
from core.messaging.mail_secrets import SEALED, seal_fields
from core.prefectures import PREFECTURES
from core.sealing import Keyring
from tenants.customers import contacts, set_contact, update_customer
from tenants.email_change import address_in, confirm_email_change, start_email_change
from tenants.logins import AccountKind
from tenants.scoping import scoped
from tenants.tables import ContactRole, Customer
from tenants.tokens import token_digest
from web.controllers.portal import SignedInCustomer, portal_customer, portal_page
from web.pages import render, translator

EMAIL_CHANGE_REQUESTED = "auth.email_change_requested"
COMPANY_FIELDS = ("organization_name", "postal_code", "prefecture", "address", "phone")
CONTACT_FIELDS = ("name", "department", "email", "phone")
ROLES = tuple(role.value for role in ContactRole)


def _text(form: Any, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _errors(refused: ValidationFailed, prefix: str = "") -> dict[str, FieldError]:
    return {f"{prefix}{error.field}": error for error in refused.errors}


async def _account_page(
    request: Request[Any, Any, Any],
    me: SignedInCustomer,
    *,
    status: int = 200,
    errors: dict[str, FieldError] | None = None,
    company: dict[str, str] | None = None,
    contact_values: dict[str, dict[str, str]] | None = None,
    new_email: str = "",
) -> Response[Any]:
    row = await (
        scoped(Customer, me.ctx)
        .select(*(getattr(Customer, name) for name in COMPANY_FIELDS))
        .where(Customer.id == me.customer_id)
        .first()
        .run()
    )
    stored = await contacts(me.ctx, me.customer_id)
    people = {
        role: {
            name: getattr(stored[role], name) if role in stored else "" for name in CONTACT_FIELDS
        }
        for role in ROLES
    }
    people.update(contact_values or {})
    return portal_page(
        request,
        me,
        "pages/portal/account.html",
        status=status,
        section="account",
        errors=errors or {},
        company_values={**(row or {}), **(company or {})},
        contacts=people,
        roles=ROLES,
        prefectures=PREFECTURES,
        new_email=new_email,
    )


class PortalAccountController(Controller):
    path = "/portal/account"
    include_in_schema = False

    @get("/")
    async def account(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await portal_customer(request)
        if not isinstance(me, SignedInCustomer):
            return me
        return await _account_page(request, me)

    @post("/company", status_code=200)
    async def company(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await portal_customer(request)
        if not isinstance(me, SignedInCustomer):
            return me
        form = await request.form()
        values = {name: _text(form, name) for name in COMPANY_FIELDS}
        try:
            await update_customer(me.ctx, me.customer_id, **values)
        except ValidationFailed as refused:
            return await _account_page(
                request, me, status=400, errors=_errors(refused), company=values
            )
        return Redirect("/portal/account?notice=company_saved", status_code=303)

    @post("/contact", status_code=200)
    async def contact(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await portal_customer(request)
        if not isinstance(me, SignedInCustomer):
            return me
        form = await request.form()
        role = _text(form, "role")
        if role not in ROLES:
            error = FieldError("role", "tenants.contact_role_invalid")
            return await _account_page(request, me, status=400, errors={"role": error})
        values = {name: _text(form, f"{role}-{name}") for name in CONTACT_FIELDS}
        try:
            await set_contact(me.ctx, me.customer_id, role, **values)
        except ValidationFailed as refused:
            return await _account_page(
                request,
                me,
                status=400,
                errors=_errors(refused, f"{role}-"),
                contact_values={role: values},
            )
        return Redirect("/portal/account?notice=contact_saved", status_code=303)

    @post("/email", status_code=200)
    async def email(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await portal_customer(request)
        if not isinstance(me, SignedInCustomer):
            return me
        form = await request.form()
        wanted = _text(form, "new_email")
        account_id = int(me.ctx.actor.id)
        try:
            async with bound_engine().transaction():
                token, email = await start_email_change(
                    AccountKind.CUSTOMER, account_id, wanted, me.ctx.clock
                )
                query = urlencode({"token": token})
                url = f"{request.url.scheme}://{request.url.netloc}"
                await outbox.record(
                    me.ctx,
                    "login",
                    f"customer:{account_id}",
                    EMAIL_CHANGE_REQUESTED,
                    {
                        "to": email,
                        "language": translator(request).language,
                        "name": me.person["display_name"],
                        "new_email": email,
                        "account_kind": AccountKind.CUSTOMER.value,
                        "account_id": account_id,
                        SEALED: seal_fields(
                            Keyring.from_settings(request.app.state.web.settings),
                            me.ctx.tenant.id,
                            {"confirm_url": f"{url}/portal/account/email/confirm?{query}"},
                        ),
                    },
                    idempotency_key=f"{EMAIL_CHANGE_REQUESTED}:{token_digest(token)}",
                )
        except ValidationFailed as refused:
            errors = _errors(refused, "new_")
            return await _account_page(request, me, status=400, errors=errors, new_email=wanted)
        return Redirect("/portal/account?notice=email_sent", status_code=303)

    @get("/email/confirm")
    async def confirm_form(self, request: Request[Any, Any, Any]) -> Response[Any]:
        token = request.query_params.get("token", "")
        email = address_in(token)
        errors = {} if email else {"token": FieldError("token", "tenants.token_invalid")}
        return render(
            request,
            "pages/portal/email_confirm.html",
            status=200 if email else 400,
            area="portal",
            token=token,
            email=email or "",
            errors=errors,
        )

    @post("/email/confirm", status_code=200)
    async def confirm(self, request: Request[Any, Any, Any]) -> Response[Any]:
        form = await request.form()
        token = _text(form, "token")
        clock = request.app.state.web.clock
        try:
            await confirm_email_change(AccountKind.CUSTOMER, token, clock)
        except ValidationFailed as refused:
            return render(
                request,
                "pages/portal/email_confirm.html",
                status=400,
                area="portal",
                token="",
                email=address_in(token) or "",
                errors=_errors(refused),
            )
        return Redirect("/portal/account?notice=email_changed", status_code=303)
