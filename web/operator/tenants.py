"""Tenant review: the sign-up queue, approve or reject (with a reason), suspend (with a reason)
and reactivate. The rules live in ``tenants.onboarding`` (pending → active ⇄ suspended,
pending → rejected); each change is audited in the tenant's log under the operator's name.
The queue and the page of an application say whether its owner confirmed their e-mail address
(only a confirmed one can be approved); approving mails the owner the console's address,
rejecting mails them the reason (``web.signup.mail``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from core.clock import Clock
from core.context import Actor, Context, tenant_scope
from core.db import write_transaction
from core.errors import ValidationFailed
from tenants.delegation import current_consent
from tenants.onboarding import (
    approve,
    owners_verified,
    reactivate,
    reject,
    suspend,
    tenant_owner,
    tenant_ref,
)
from tenants.tables import Tenant, TenantStatus
from web.controllers.auth import FORM, Errors, by_field, redirect, web_state
from web.operator.session import SignedInOperator, signed_in_operator
from web.pages import render, translator
from web.sessions import Area
from web.signup import mail

STATUSES = tuple(status.value for status in TenantStatus)
JST = ZoneInfo("Asia/Tokyo")
DELEGATED_ACTION = "delegated_action"
"""``opt`` key of an operator route that acts inside a tenant with consent; its value is the
message id of the link the tenant page shows (a plugin adds such routes, web knows none)."""
TENANT_PAGE = "operator_tenant_page"
"""``opt`` key of an operator page about one tenant that needs no consent (a provider
contract, for example); its value is the message id of the tenant page's link to it."""


@dataclass
class ReasonForm:
    reason: str = ""
    csrf_token: str = ""


def moment(value: datetime | None, language: str) -> str:
    """A moment in Japan time: 2026/11/22 18:00 in Japanese, 2026-11-22 18:00 in English."""
    if value is None:
        return ""
    return value.astimezone(JST).strftime(
        "%Y/%m/%d %H:%M" if language == "ja" else "%Y-%m-%d %H:%M"
    )


def delegated_actions(
    request: Request[Any, Any, Any], tenant_id: int, key: str = DELEGATED_ACTION
) -> list[dict[str, str]]:
    """Links to the operator routes that act inside a tenant (``opt[DELEGATED_ACTION]``), or
    to the routes of another ``opt`` key (``TENANT_PAGE``)."""
    found = []
    for route in request.app.routes:
        for handler in getattr(route, "route_handlers", ()):
            label = handler.opt.get(key)
            if label and "GET" in handler.http_methods:
                found.append(
                    {"label": label, "href": route.path.replace("{tenant_id:int}", str(tenant_id))}
                )
    return sorted(found, key=lambda link: link["href"])


class TenantReviewController(Controller):
    path = "/operator/tenants"
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await signed_in_operator(request)
        if not isinstance(me, SignedInOperator):
            return me
        wanted = request.query_params.get("status", TenantStatus.PENDING.value)
        query = Tenant.select(
            Tenant.id, Tenant.slug, Tenant.name, Tenant.organization_name, Tenant.status,
            Tenant.language, Tenant.time_zone, Tenant.created_at,
        ).order_by(Tenant.created_at)  # fmt: skip
        if wanted in STATUSES:
            query = query.where(Tenant.status == wanted)
        else:
            wanted = "all"
        language = translator(request).language
        found = await query.run()
        pending = [
            tenant_ref(Tenant(**{k: row[k] for k in ("id", "slug", "language", "time_zone")}))
            for row in found
            if row["status"] == TenantStatus.PENDING.value
        ]
        verified = await owners_verified(pending)
        rows = [
            {
                **row,
                "created": moment(row["created_at"], language),
                "email_verified": verified.get(row["id"]),
            }
            for row in found
        ]
        return render(
            request,
            "pages/operator/tenants.html",
            area=Area.OPERATOR.value,
            section="tenants",
            person=me.person,
            tenants=rows,
            current_status=wanted,
            statuses=STATUSES,
            notice=request.query_params.get("notice", ""),
        )

    @get("/{tenant_id:int}")
    async def show(
        self, request: Request[Any, Any, Any], tenant_id: FromPath[int]
    ) -> Response[Any]:
        me = await signed_in_operator(request)
        if not isinstance(me, SignedInOperator):
            return me
        return await _detail(request, me, tenant_id)

    @post("/{tenant_id:int}/approve")
    async def approve(
        self,
        request: Request[Any, Any, Any],
        tenant_id: FromPath[int],
        data: Annotated[ReasonForm, FORM],
    ) -> Response[Any]:
        return await _change(request, tenant_id, data, "approved", _approve, _mail_approved)

    @post("/{tenant_id:int}/reject")
    async def reject(
        self,
        request: Request[Any, Any, Any],
        tenant_id: FromPath[int],
        data: Annotated[ReasonForm, FORM],
    ) -> Response[Any]:
        return await _change(request, tenant_id, data, "rejected", reject, _mail_rejected)

    @post("/{tenant_id:int}/suspend")
    async def suspend(
        self,
        request: Request[Any, Any, Any],
        tenant_id: FromPath[int],
        data: Annotated[ReasonForm, FORM],
    ) -> Response[Any]:
        return await _change(request, tenant_id, data, "suspended", _suspend)

    @post("/{tenant_id:int}/reactivate")
    async def reactivate(
        self,
        request: Request[Any, Any, Any],
        tenant_id: FromPath[int],
        data: Annotated[ReasonForm, FORM],
    ) -> Response[Any]:
        return await _change(request, tenant_id, data, "reactivated", _reactivate)


Change = Callable[[int, Actor, Clock, str], Awaitable[None]]
Announce = Callable[[Request[Any, Any, Any], Tenant, Actor, str], Awaitable[None]]


async def _applicant(row: Tenant) -> mail.Applicant | None:
    owner = await tenant_owner(tenant_ref(row))
    if owner is None:
        return None
    return mail.applicant_of(owner, row.organization_name, row.language)


def _context(request: Request[Any, Any, Any], row: Tenant, actor: Actor) -> Context:
    return Context(tenant=tenant_ref(row), actor=actor, clock=web_state(request).clock)


async def _mail_approved(
    request: Request[Any, Any, Any], row: Tenant, actor: Actor, reason: str
) -> None:
    applicant = await _applicant(row)
    if applicant is not None:
        public_url = web_state(request).settings.public_url
        await mail.approved(_context(request, row, actor), applicant, public_url)


async def _mail_rejected(
    request: Request[Any, Any, Any], row: Tenant, actor: Actor, reason: str
) -> None:
    applicant = await _applicant(row)
    if applicant is not None:
        await mail.rejected(_context(request, row, actor), applicant, " ".join(reason.split()))


async def _approve(tenant_id: int, actor: Actor, clock: Clock, reason: str) -> None:
    await approve(tenant_id, actor, clock)


async def _suspend(tenant_id: int, actor: Actor, clock: Clock, reason: str) -> None:
    await suspend(tenant_id, actor, clock, reason.strip())


async def _reactivate(tenant_id: int, actor: Actor, clock: Clock, reason: str) -> None:
    await reactivate(tenant_id, actor, clock)


async def _change(
    request: Request[Any, Any, Any],
    tenant_id: int,
    data: ReasonForm,
    notice: str,
    change: Change,
    announce: Announce | None = None,
) -> Response[Any]:
    me = await signed_in_operator(request)
    if not isinstance(me, SignedInOperator):
        return me
    row = await Tenant.objects().where(Tenant.id == tenant_id).first()
    if row is None:
        return _not_found(request)
    try:
        # the audit entry and the mail are the tenant's; the change and its mail, or neither
        with tenant_scope(tenant_ref(row)):
            async with write_transaction():
                await change(tenant_id, me.actor, web_state(request).clock, data.reason)
                if announce is not None:
                    await announce(request, row, me.actor, data.reason)
    except ValidationFailed as exc:
        return await _detail(request, me, tenant_id, by_field(exc.errors), data.reason, 400)
    return redirect(f"/operator/tenants/{tenant_id}?notice={notice}")


def _not_found(request: Request[Any, Any, Any]) -> Response[str]:
    return render(request, "pages/auth/message.html", status=404, kind="operator.not_found")


async def _detail(
    request: Request[Any, Any, Any],
    me: SignedInOperator,
    tenant_id: int,
    errors: Errors | None = None,
    reason: str = "",
    status: int = 200,
) -> Response[Any]:
    row = await Tenant.objects().where(Tenant.id == tenant_id).first()
    if row is None:
        return _not_found(request)
    language = translator(request).language
    consent = await current_consent(tenant_ref(row), web_state(request).clock)
    owner = await tenant_owner(tenant_ref(row))
    active = row.status == TenantStatus.ACTIVE.value
    return render(
        request,
        "pages/operator/tenant.html",
        status=status,
        area=Area.OPERATOR.value,
        section="tenants",
        person=me.person,
        tenant=row,
        owner=owner,
        created=moment(row.created_at, language),
        changed=moment(row.status_changed_at, language),
        consent=consent,
        consent_until=moment(consent.expires_at, language) if consent else "",
        actions=delegated_actions(request, tenant_id) if consent and active else [],
        pages=delegated_actions(request, tenant_id, TENANT_PAGE),
        errors=errors or {},
        reason=reason,
        notice=request.query_params.get("notice", ""),
    )
