"""My certificates: the customer's entitlements, each with the actions its provider allows now.

- ``GET /portal/certificates``: state, product, names, expiry and days left.
- ``GET /portal/certificates/{id}``: the same in full, the downloads when the data holds a
  certificate (``certificate.py``), and one form per action ``core.entitlements.actions.
  allowed_actions`` lists now, with the rule's "until" date (``forms.py`` says which form).
- ``GET …/{id}/download?format=pem|chain|p7b``: the certificate with its chain, the chain
  alone, or both as PKCS#7.
- ``POST …/{id}/apply``: the application for the certificate a voucher was paid for (the
  provider's ``redeem`` action): CSR pasted or uploaded, organisation, DCV method, checked
  here first (``apply.py``); ``step=check`` only checks and shows the CSR's key and names.
- ``POST …/{id}/check``: ask the provider now about a pending certificate (DCV done?).
- ``POST …/{id}/reissue`` (``csr``), ``…/{id}/revoke`` (``reason``, then ``confirm``),
  ``…/{id}/action`` (``action``, then ``confirm``): through ``actions.perform``, which asks
  the provider again; a refusal is shown with the provider's message in the page's language.

An entitlement is the customer's when it is this tenant's and its ``customer_id`` is theirs;
any other id answers the portal's one 404 page.
"""

from __future__ import annotations

import logging
import re
import secrets
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from core.catalog.tables import Product
from core.certificates.csr import parse_csr
from core.contracts.providers import ActionRequest, AllowedAction
from core.entitlements import actions
from core.entitlements.deps import EntitlementDeps
from core.entitlements.fulfilment import poll_now
from core.entitlements.queries import get_entitlement, list_for_customer
from core.entitlements.tables import Entitlement
from core.entitlements.views import EntitlementRecord
from core.errors import FieldError, NotFound, ShomeiError, ValidationFailed
from core.orders.tables import Order
from tenants.credentials import Keyring
from web.api.deps import TenantProviderAccounts
from web.controllers.portal import (
    SignedInCustomer,
    portal_customer,
    portal_day,
    portal_not_found,
    portal_page,
)
from web.pages import SECURITY_HEADERS, translator
from web.portal_certificates.apply import (
    DCV_METHODS,
    Application,
    allowance,
    check_application,
    dcv_steps,
    read_application,
)
from web.portal_certificates.certificate import (
    certificate_facts,
    names_of,
    pem_with_chain,
    pkcs7_bundle,
)
from web.portal_certificates.forms import (
    REVOCATION_REASONS,
    form_kind,
    label_id,
    revocation_reason,
)

DOWNLOADS = {
    "pem": ("application/x-pem-file", "pem"),
    "chain": ("application/x-pem-file", "chain.pem"),
    "p7b": ("application/x-pkcs7-certificates", "p7b"),
}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
log = logging.getLogger("shomei.web.portal")
_FIELDS = {"code": "action", "certificate": "action", "voucher_order": "action"}
"""A provider's refusal about the thing itself is shown where the actions are."""


def entitlement_deps(request: Request[Any, Any, Any]) -> EntitlementDeps:
    """Providers built per account, as the worker does, with the web process's keyring."""
    web = request.app.state.web
    accounts = TenantProviderAccounts(
        Keyring.from_settings(web.settings), web.settings.secret_key, web.settings.public_url,
        web.egress,
    )  # fmt: skip
    return EntitlementDeps(web.registry, accounts)


async def _mine(me: SignedInCustomer, entitlement_id: int) -> EntitlementRecord | None:
    """The entitlement when it is this tenant's and this customer's, else None."""
    owned = await (
        Entitlement.select(Entitlement.id)
        .where(
            (Entitlement.id == entitlement_id)
            & (Entitlement.tenant_id == me.ctx.tenant.id)
            & (Entitlement.customer_id == me.customer_id)
        )
        .first()
        .run()
    )
    if owned is None:
        return None
    try:
        return await get_entitlement(me.ctx, entitlement_id)
    except NotFound:
        return None


async def _products(me: SignedInCustomer, codes: set[str]) -> dict[str, dict[str, Any]]:
    if not codes:
        return {}
    rows = await (
        Product.select(Product.id, Product.code, Product.name_ja, Product.name_en)
        .where((Product.tenant_id == me.ctx.tenant.id) & Product.code.is_in(sorted(codes)))
        .order_by(Product.id)
        .run()
    )
    found: dict[str, dict[str, Any]] = {}
    for row in rows:
        found.setdefault(row["code"], row)
    return found


def _days_left(expires: datetime | None, me: SignedInCustomer) -> int | None:
    """Whole days from today to the expiry day, both in the tenant's time zone."""
    if expires is None:
        return None
    zone = ZoneInfo(me.ctx.tenant.time_zone)
    return (expires.astimezone(zone).date() - me.ctx.clock.now().astimezone(zone).date()).days


async def _order_numbers(me: SignedInCustomer, ids: set[int | None]) -> dict[int, str]:
    wanted = sorted(i for i in ids if i is not None)
    if not wanted:
        return {}
    rows = await (
        Order.select(Order.id, Order.number)
        .where((Order.tenant_id == me.ctx.tenant.id) & Order.id.is_in(wanted))
        .run()
    )
    return {row["id"]: row["number"] or str(row["id"]) for row in rows}


def _summary(
    record: EntitlementRecord,
    me: SignedInCustomer,
    products: dict[str, Any],
    lang: str,
    numbers: dict[int, str],
) -> dict[str, Any]:
    product = products.get(record.product_code)
    name = record.product_code
    if product is not None:
        name = product["name_ja"] if lang == "ja" else product["name_en"]
    facts = certificate_facts(record.data)
    expires = record.expires_at or (facts.not_after if facts else None)
    return {
        "id": record.id,
        "state": record.state.value,
        "product": name,
        "product_id": product["id"] if product else None,
        "names": names_of(record.data),
        "expires": portal_day(expires, me.ctx.tenant, lang) if expires else "",
        "days_left": _days_left(expires, me),
        "facts": facts,
        "issued": portal_day(record.issued_at, me.ctx.tenant, lang) if record.issued_at else "",
        "order_id": record.order_id,
        "order_number": numbers.get(record.order_id or 0, str(record.order_id)),
        "parent_id": record.parent_id,
        "voucher": _voucher(record.data, me, lang),
    }


def _voucher(data: dict[str, Any], me: SignedInCustomer, lang: str) -> dict[str, Any] | None:
    """A voucher code's facts, when the entitlement is one (its provider stores ``code``)."""
    code = data.get("code")
    if not isinstance(code, str) or not code:
        return None
    bought = allowance(data)
    redeem_by = data.get("redeem_by")
    day = ""
    if isinstance(redeem_by, str) and redeem_by:
        day = portal_day(date.fromisoformat(redeem_by[:10]), me.ctx.tenant, lang)
    return {
        "code": code,
        "fqdns": bought[0] if bought else None,
        "wildcards": bought[1] if bought else None,
        "years": data.get("validity_years"),
        "redeem_by": day,
    }


async def _children(me: SignedInCustomer, entitlement_id: int) -> list[dict[str, Any]]:
    """What was made of this entitlement (the certificate applied for with a voucher…)."""
    rows = await (
        Entitlement.select(Entitlement.id, Entitlement.state)
        .where(
            (Entitlement.tenant_id == me.ctx.tenant.id)
            & (Entitlement.parent_id == entitlement_id)
            & (Entitlement.customer_id == me.customer_id)
        )
        .order_by(Entitlement.id)
        .run()
    )
    return [{"id": row["id"], "state": row["state"]} for row in rows]


def _action_rows(
    allowed: list[AllowedAction], me: SignedInCustomer, lang: str
) -> list[dict[str, Any]]:
    return [
        {
            "action": rule.action,
            "kind": form_kind(rule.action),
            "label": label_id(rule.action),
            "until": portal_day(rule.until, me.ctx.tenant, lang) if rule.until else "",
            "paid": rule.paid,
        }
        for rule in allowed
    ]


async def _detail(
    request: Request[Any, Any, Any],
    me: SignedInCustomer,
    record: EntitlementRecord,
    *,
    status: int = 200,
    errors: dict[str, FieldError] | None = None,
    values: dict[str, str] | None = None,
    confirm: dict[str, str] | None = None,
    application: Application | None = None,
    csr_info: Any = None,
) -> Response[Any]:
    lang = translator(request).language
    products = await _products(me, {record.product_code})
    summary = _summary(record, me, products, lang, await _order_numbers(me, {record.order_id}))
    try:
        allowed = await actions.allowed_actions(me.ctx, record.id, entitlement_deps(request))
        unavailable = False
    except (ShomeiError, LookupError):  # the provider account is gone or switched off
        allowed, unavailable = [], True
    return portal_page(
        request,
        me,
        "pages/portal/certificate.html",
        status=status,
        section="certificates",
        cert=summary,
        actions=_action_rows(allowed, me, lang),
        unavailable=unavailable,
        reasons=[reason.value for reason in REVOCATION_REASONS],
        errors=errors or {},
        values={"csr": "", "reason": "", **(values or {})},
        confirm=confirm,
        form_key=secrets.token_urlsafe(16),
        storefront=_has_storefront(request),
        children=await _children(me, record.id),
        application=application or Application(organization_name=me.company),
        csr_info=csr_info,
        dcv_methods=DCV_METHODS,
        dcv=dcv_steps(record.data, summary["names"]) if record.state.value == "pending" else None,
    )


def _has_storefront(request: Request[Any, Any, Any]) -> bool:
    """Whether this deployment has the shop (its product pages take the renewal order)."""
    return any(route.path == "/shop/products/{product_id:int}" for route in request.app.routes)


def _text(form: Any, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


async def _perform(
    request: Request[Any, Any, Any],
    me: SignedInCustomer,
    record: EntitlementRecord,
    action: str,
    params: dict[str, Any],
    form: Any,
    values: dict[str, str],
    application: Application | None = None,
) -> Response[Any]:
    """``actions.perform`` under the form's one-time key; a refusal re-shows the page."""
    key = _text(form, "form_key") or secrets.token_urlsafe(16)
    try:
        outcome = await actions.perform(
            me.ctx.with_key(f"portal:{key}"),
            record.id,
            ActionRequest(action, params),
            entitlement_deps(request),
        )
    except ValidationFailed as refused:
        errors = {_FIELDS.get(e.field, e.field): e for e in reversed(refused.errors)}
        return await _detail(
            request, me, record, status=400, errors=errors, values=values, application=application
        )
    except Exception:  # the provider or its upstream failed: not the customer's doing
        log.exception("portal action failed", extra={"entitlement_id": record.id})
        error = FieldError("action", "web.certs.provider_unavailable")
        return await _detail(
            request, me, record, status=502, errors={"action": error}, application=application
        )
    target = outcome.new_entitlement.id if outcome.new_entitlement else record.id
    return Redirect(f"/portal/certificates/{target}?notice=performed", status_code=303)


class PortalCertificatesController(Controller):
    path = "/portal/certificates"
    include_in_schema = False

    @get("/")
    async def certificates(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await portal_customer(request)
        if not isinstance(me, SignedInCustomer):
            return me
        lang = translator(request).language
        records = await list_for_customer(me.ctx, me.customer_id)
        products = await _products(me, {r.product_code for r in records})
        numbers = await _order_numbers(me, {r.order_id for r in records})
        rows = [
            _summary(record, me, products, lang, numbers)
            for record in sorted(records, key=lambda r: r.id, reverse=True)
            if record.customer_id == me.customer_id
        ]
        return portal_page(
            request, me, "pages/portal/certificates.html", section="certificates", certs=rows
        )

    @get("/{entitlement_id:int}")
    async def certificate(
        self, request: Request[Any, Any, Any], entitlement_id: FromPath[int]
    ) -> Response[Any]:
        me = await portal_customer(request)
        if not isinstance(me, SignedInCustomer):
            return me
        record = await _mine(me, entitlement_id)
        if record is None:
            return portal_not_found(request)
        return await _detail(request, me, record)

    @get("/{entitlement_id:int}/download")
    async def download(
        self, request: Request[Any, Any, Any], entitlement_id: FromPath[int]
    ) -> Response[Any]:
        me = await portal_customer(request)
        if not isinstance(me, SignedInCustomer):
            return me
        record = await _mine(me, entitlement_id)
        facts = certificate_facts(record.data) if record is not None else None
        if facts is None:
            return portal_not_found(request)
        kind = request.query_params.get("format", "pem")
        media_type, extension = DOWNLOADS.get(kind, DOWNLOADS["pem"])
        if extension == "p7b":
            body = pkcs7_bundle(facts)
        elif kind == "chain":
            body = facts.chain_pem.encode("ascii")
        else:
            body = pem_with_chain(facts)
        name = _UNSAFE.sub("_", facts.common_name.replace("*", "wildcard")) or "certificate"
        return Response(
            body,
            media_type=media_type,
            headers={
                **SECURITY_HEADERS,
                "content-disposition": f'attachment; filename="{name}.{extension}"',
            },
        )

    @post("/{entitlement_id:int}/reissue", status_code=200)
    async def reissue(
        self, request: Request[Any, Any, Any], entitlement_id: FromPath[int]
    ) -> Response[Any]:
        me = await portal_customer(request)
        if not isinstance(me, SignedInCustomer):
            return me
        record = await _mine(me, entitlement_id)
        if record is None:
            return portal_not_found(request)
        form = await request.form()
        csr = str(form.get("csr", "")).strip()
        action = _text(form, "action") or "reissue"
        values = {"csr": csr}
        try:
            if form_kind(action) != "csr":
                raise actions.refused(action)
            if not csr:
                raise ValidationFailed([FieldError("csr", "web.certs.csr_required")])
            parse_csr(csr)
        except ValidationFailed as refused:
            errors = {error.field: error for error in refused.errors}
            return await _detail(request, me, record, status=400, errors=errors, values=values)
        return await _perform(request, me, record, action, {"csr": csr}, form, values)

    @post("/{entitlement_id:int}/apply", status_code=200)
    async def apply(
        self, request: Request[Any, Any, Any], entitlement_id: FromPath[int]
    ) -> Response[Any]:
        me = await portal_customer(request)
        if not isinstance(me, SignedInCustomer):
            return me
        record = await _mine(me, entitlement_id)
        if record is None:
            return portal_not_found(request)
        form = await request.form()
        application = await read_application(form)
        action = _text(form, "action") or "redeem"
        if form_kind(action) != "apply":
            error = FieldError("action", "web.certs.action_required")
            return await _detail(request, me, record, status=400, errors={"action": error})
        info = check_application(application, record.data)
        if application.errors or application.check_only:
            errors = {error.field: error for error in reversed(application.errors)}
            status = 400 if application.errors else 200
            return await _detail(
                request, me, record, status=status, errors=errors, application=application,
                csr_info=info,
            )  # fmt: skip
        params = {
            "csr": application.csr,
            "organization_name": application.organization_name,
            "dcv_method": application.dcv_method,
            "customer_id": me.customer_id,
        }
        return await _perform(
            request, me, record, action, params, form, {"csr": application.csr},
            application,
        )  # fmt: skip

    @post("/{entitlement_id:int}/check", status_code=200)
    async def check(
        self, request: Request[Any, Any, Any], entitlement_id: FromPath[int]
    ) -> Response[Any]:
        me = await portal_customer(request)
        if not isinstance(me, SignedInCustomer):
            return me
        record = await _mine(me, entitlement_id)
        if record is None:
            return portal_not_found(request)
        report = await poll_now(me.ctx, record.id, entitlement_deps(request))
        if report.failed:
            error = FieldError("action", "web.certs.provider_unavailable")
            fresh = await _mine(me, entitlement_id) or record
            return await _detail(request, me, fresh, status=502, errors={"action": error})
        return Redirect(f"/portal/certificates/{record.id}?notice=checked", status_code=303)

    @post("/{entitlement_id:int}/revoke", status_code=200)
    async def revoke(
        self, request: Request[Any, Any, Any], entitlement_id: FromPath[int]
    ) -> Response[Any]:
        me = await portal_customer(request)
        if not isinstance(me, SignedInCustomer):
            return me
        record = await _mine(me, entitlement_id)
        if record is None:
            return portal_not_found(request)
        form = await request.form()
        values = {"reason": _text(form, "reason")}
        reason = revocation_reason(values["reason"])
        if reason is None:
            error = FieldError("reason", "web.certs.reason_required")
            return await _detail(
                request, me, record, status=400, errors={"reason": error}, values=values
            )
        if _text(form, "confirm") != "yes":  # the confirmation step: nothing is done yet
            step = {"action": "revoke", "reason": reason.value}
            return await _detail(request, me, record, values=values, confirm=step)
        return await _perform(request, me, record, "revoke", {"reason": reason.value}, form, values)

    @post("/{entitlement_id:int}/action", status_code=200)
    async def other_action(
        self, request: Request[Any, Any, Any], entitlement_id: FromPath[int]
    ) -> Response[Any]:
        me = await portal_customer(request)
        if not isinstance(me, SignedInCustomer):
            return me
        record = await _mine(me, entitlement_id)
        if record is None:
            return portal_not_found(request)
        form = await request.form()
        action = _text(form, "action")
        if not action or form_kind(action) != "confirm":
            error = FieldError("action", "web.certs.action_required")
            return await _detail(request, me, record, status=400, errors={"action": error})
        if _text(form, "confirm") != "yes":
            step = {"action": action, "label": label_id(action)}
            return await _detail(request, me, record, confirm=step)
        return await _perform(request, me, record, action, {}, form, {})
