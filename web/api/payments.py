"""Payment routes: bank-transfer instructions, Zengin imports, the unmatched queue and card
payments under ``/api/v1`` (API key); the Stripe webhook under ``/webhooks`` (signed, no API
key, no CSRF) and the browser's return from 3-D Secure under ``/payments/card/return`` (a GET,
no API key: the return address is signed by us).

The webhook and return routes are mounted by the card plugin's ``register_routes`` hook, so they
exist exactly when the card plugin (and its ``card_webhook_event`` table) is registered.

Payment e-mail: every service that writes ``payment.instructions_issued`` or
``payment.confirmed`` gets ``customer_recipient`` (``web.api.payment_recipients``), so the
events carry ``to``/``language`` without core importing ``tenants/``.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from litestar import Controller, Request, Response, Router, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from core.context import Actor, Context, system_scope, tenant_scope
from core.contracts.common import PluginAccount
from core.contracts.payments import PaymentOutcome, PaymentRequest, PaymentState
from core.db import write_transaction
from core.errors import FieldError, NotFound, PluginNotFound, ShomeiError, ValidationFailed
from core.i18n import Translator
from core.logs import bind_log_context
from core.orders.states import OrderState
from core.orders.views import order_row
from core.payments.bank_backend import BankTransferBackend, bank_transfer_backend
from core.payments.ledger import AppliedPayment, apply_outcome, order_payment
from core.payments.transfers import (
    ExpectationView,
    ImportResult,
    UnmatchedLine,
    import_zengin,
    issue_transfer_instructions,
    list_unmatched,
    resolve_unmatched,
    transfer_expectation,
)
from tenants.credentials import Keyring
from tenants.onboarding import tenant_ref
from tenants.provider_accounts import plugin_account
from tenants.tables import Tenant, TenantStatus
from web.api.errors import error_response
from web.api.examples import (
    APPLIED,
    CARD_PAYMENT,
    CARD_PAYMENT_IN,
    EXPECTATION,
    IMPORT_RESULT,
    ORDER_PAYMENT,
    UNMATCHED,
    body,
    ok,
)
from web.api.fields import Id, PathId
from web.api.guards import requires_scope
from web.api.payment_recipients import customer_recipient
from web.i18n import negotiate_language

log = logging.getLogger("shomei.payments")
READ = requires_scope("orders:read")
WRITE = requires_scope("orders:write")


async def _payment_account(
    request: Request[Any, Any, Any], ctx: Context, code: str
) -> PluginAccount:
    settings = request.app.state.web.settings
    return await plugin_account(
        ctx,
        Keyring.from_settings(settings),
        "payment",
        code,
        settings.secret_key,
        settings.public_url,
    )


def _refuse(field: str, message_id: str) -> ValidationFailed:
    return ValidationFailed([FieldError(field, message_id)])


async def card_adapter(request: Request[Any, Any, Any], ctx: Context) -> Any:
    """The tenant's card adapter (its own Stripe keys); 422 without the card plugin."""
    try:
        adapter_class = request.app.state.web.registry.payment_adapter("card")
    except PluginNotFound:
        raise _refuse("payment_method", "payments.card.unavailable") from None
    return adapter_class(await _payment_account(request, ctx, "card"))


def _bank_backend(request: Request[Any, Any, Any]) -> BankTransferBackend:
    """The app's registered bank-transfer adapter class (422 without the plugin)."""
    try:
        return bank_transfer_backend(request.app.state.web.registry)
    except PluginNotFound:
        raise _refuse("payment_method", "payments.bank_transfer.unavailable") from None


# --- the signed return address of 3-D Secure ------------------------------------------------

RETURN_PATH = "/payments/card/return"
CARD_STATES = (OrderState.DRAFT, OrderState.AWAITING_PAYMENT)


def _return_signature(secret: str, tenant_id: int, order_id: int, return_url: str) -> str:
    message = f"card-return:{tenant_id}:{order_id}:{return_url}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def stripe_return_url(settings: Any, tenant: Any, order_id: int, return_url: str) -> str:
    """Where Stripe sends the browser after 3-D Secure (it appends ``payment_intent=pi_…``):
    our return route, carrying the caller's ``return_url`` and our signature over it, so the
    return route redirects only where an API caller of this tenant asked for that order."""
    sig = _return_signature(settings.secret_key, tenant.id, order_id, return_url)
    query = urlencode({"order": order_id, "to": return_url, "sig": sig})
    return f"{settings.public_url}{RETURN_PATH}/{tenant.slug}?{query}"


def _with_status(return_url: str, order_id: int, status: str) -> str:
    separator = "&" if urlsplit(return_url).query else "?"
    return f"{return_url}{separator}{urlencode({'order_id': order_id, 'payment': status})}"


def _check_return_url(return_url: str) -> None:
    parts = urlsplit(return_url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise _refuse("return_url", "payments.card.return_url_invalid")


async def apply_card_outcomes(
    ctx: Context, order_id: int, outcomes: list[PaymentOutcome]
) -> list[AppliedPayment]:
    """Apply the outcomes that concern ``order_id`` once each (the webhook applies the same
    references: whichever comes first pays, the other finds it applied)."""
    applied = []
    async with write_transaction():
        for outcome in outcomes:
            if (outcome.payable_type, outcome.payable_id) != ("order", order_id):
                log.warning(
                    "card outcome for another payable",
                    extra={"reference": outcome.reference, "payable_id": outcome.payable_id},
                )
                continue
            applied.append(await apply_outcome(ctx, outcome, "card", recipients=customer_recipient))
    return applied


async def card_status(ctx: Context, order_id: int, outcomes: list[PaymentOutcome]) -> str:
    """paid | failed | processing, as the caller's return page shows it."""
    if (await order_payment(ctx, order_id)).confirmed:
        return "paid"
    if any(o.state in (PaymentState.FAILED, PaymentState.CANCELLED) for o in outcomes):
        return "failed"
    return "processing"


@dataclass
class ResolveIn:
    order_id: Id


@dataclass
class CardPaymentIn:
    """``payment_method``: a ``pm_…`` made by Stripe.js (or a saved ``cus_…/pm_…``);
    ``return_url``: where the browser goes after 3-D Secure, with ``order_id`` and
    ``payment`` (paid | failed | processing) added to its query."""

    payment_method: str
    return_url: str


@dataclass
class CardPaymentOut:
    """``status``: paid | processing | requires_action | failed. For ``requires_action`` send
    the browser to ``redirect_url`` (Stripe's 3-D Secure page), or finish with Stripe.js and
    ``client_secret`` when Stripe asks for its SDK (``redirect_url`` is null)."""

    order_id: int
    status: str
    payment_intent: str
    redirect_url: str | None
    client_secret: str | None


@dataclass
class OrderPaymentOut:
    """How an order stands; ``status`` is what the customer sees (``confirmed`` = 入金確認済)."""

    order_id: int
    order_state: str
    status: str
    label: str
    total: int
    received: int
    surplus: int
    remaining_due: int
    instructions: ExpectationView | None
    """The bank-transfer instructions (振込先, payer reference, due date), once issued."""


class BankTransferController(Controller):
    path = "/bank-transfers"
    tags = ["payments"]

    @post(
        "/imports",
        summary="Import a Zengin file (振込入金通知 or 入出金取引明細)",
        description=(
            "The file as the raw request body or as the multipart field `file`. A file that"
            " fails the trailer checks is refused whole (422); the same file again changes"
            " nothing (`changed: false`)."
        ),
        guards=[WRITE],
        status_code=200,
        responses=ok(ImportResult, IMPORT_RESULT),
    )
    async def import_file(
        self, ctx: NamedDependency[Context], request: Request[Any, Any, Any]
    ) -> ImportResult:
        content_type, _ = request.content_type
        if content_type == "multipart/form-data":
            upload = (await request.form()).get("file")
            data = await upload.read() if isinstance(upload, UploadFile) else b""
        else:
            data = await request.body()
        if not data:
            raise ValidationFailed([FieldError("file", "payments.bank_file.missing")])
        return await import_zengin(
            ctx, data, recipients=customer_recipient, backend=_bank_backend(request)
        )

    @get(
        "/unmatched",
        summary="Transfers nobody matched (the finance queue)",
        guards=[READ],
        responses=ok(list[UnmatchedLine], [UNMATCHED]),
    )
    async def unmatched(self, ctx: NamedDependency[Context]) -> list[UnmatchedLine]:
        return await list_unmatched(ctx)

    @post(
        "/unmatched/{line_id:int}/resolve",
        summary="Assign an unmatched transfer to an order",
        guards=[WRITE],
        status_code=200,
        responses=ok(AppliedPayment, APPLIED),
    )
    async def resolve(
        self,
        ctx: NamedDependency[Context],
        line_id: PathId,
        data: Annotated[ResolveIn, body({"order_id": 1042})],
    ) -> AppliedPayment:
        return await resolve_unmatched(ctx, line_id, data.order_id, recipients=customer_recipient)


class OrderPaymentController(Controller):
    path = "/orders/{order_id:int}"
    tags = ["payments"]

    @post(
        "/transfer-instructions",
        summary="Issue (or show again) an order's bank-transfer instructions",
        guards=[WRITE],
        status_code=200,
        responses=ok(ExpectationView, EXPECTATION),
    )
    async def transfer_instructions(
        self,
        ctx: NamedDependency[Context],
        request: Request[Any, Any, Any],
        order_id: PathId,
    ) -> ExpectationView:
        await order_row(ctx, order_id)  # another tenant's order: 404 before anything else
        account = await _payment_account(request, ctx, "bank_transfer")
        return await issue_transfer_instructions(
            ctx, order_id, account, recipients=customer_recipient, backend=_bank_backend(request)
        )

    @get(
        "/payment",
        summary="An order's payment position",
        guards=[READ],
        responses=ok(OrderPaymentOut, ORDER_PAYMENT),
    )
    async def payment(
        self,
        ctx: NamedDependency[Context],
        request: Request[Any, Any, Any],
        order_id: PathId,
    ) -> OrderPaymentOut:
        found = await order_payment(ctx, order_id)
        if found.confirmed:
            status = "confirmed"
        elif found.order_state.value == "awaiting_payment":
            status = "partial" if found.received else "awaiting"
        else:
            status = "not_due"
        web = request.app.state.web
        language = negotiate_language(request, web.settings.default_language)
        translate = Translator(web.catalogs, language)
        return OrderPaymentOut(
            order_id=order_id,
            order_state=found.order_state.value,
            status=status,
            label=translate(f"payments.status.{status}"),
            total=found.total,
            received=found.received,
            surplus=found.surplus,
            remaining_due=found.remaining_due,
            instructions=await transfer_expectation(ctx, order_id),
        )

    @post(
        "/card-payments",
        summary="Pay an order by card (a PaymentIntent confirmed at once)",
        description=(
            "Creates and confirms a PaymentIntent for what the order still owes with the"
            " tenant's card account. `paid`: done; `processing`: the webhook will finish it;"
            " `requires_action`: 3-D Secure, send the browser to `redirect_url` (it comes back"
            " through `/payments/card/return/{tenant_slug}`, then to `return_url`); `failed`:"
            " declined, try another card."
        ),
        guards=[WRITE],
        status_code=200,
        responses=ok(CardPaymentOut, CARD_PAYMENT),
    )
    async def card_payment(
        self,
        ctx: NamedDependency[Context],
        request: Request[Any, Any, Any],
        order_id: PathId,
        data: Annotated[CardPaymentIn, body(CARD_PAYMENT_IN)],
    ) -> Response[Any]:
        order = await order_row(ctx, order_id)
        method = data.payment_method.strip()
        if not method:
            raise _refuse("payment_method", "payments.card.method_missing")
        _check_return_url(data.return_url)
        if order["payment_method"] != "card":
            raise _refuse("order_id", "payments.card.not_card_order")
        position = await order_payment(ctx, order_id)
        if position.order_state not in CARD_STATES or position.remaining_due <= 0:
            raise _refuse("order_id", "payments.card.not_awaiting_payment")
        settings = request.app.state.web.settings
        adapter = await card_adapter(request, ctx)
        payment = PaymentRequest(
            "order",
            order_id,
            position.remaining_due,
            order["customer_id"] or 0,
            return_url=stripe_return_url(settings, ctx.tenant, order_id, data.return_url),
            saved_method_ref=method,
        )
        # one Stripe intent per (order, card, caller's Idempotency-Key): a retry gets the same
        key = ":".join(filter(None, (f"order:{order_id}:card:{method}", ctx.idempotency_key)))
        try:
            started = await adapter.start(ctx.with_key(key), payment)
            outcomes: list[PaymentOutcome] = []
            if started.state in (PaymentState.SUCCEEDED, PaymentState.FAILED):
                if started.reference.startswith("pi_"):  # a decline without an intent: nothing
                    outcomes = await adapter.confirm(ctx, {"payment_intent": started.reference})
        except ShomeiError as exc:
            log.warning("card payment not started", extra={"error": str(exc)})
            return error_response(
                request, 502, [FieldError("payment_method", "payments.card.provider_error")]
            )
        await apply_card_outcomes(ctx, order_id, outcomes)
        if started.state is PaymentState.REQUIRES_ACTION:
            status = "requires_action"
        elif started.state is PaymentState.FAILED:
            status = "failed"
        else:
            status = await card_status(ctx, order_id, outcomes)
        return Response(
            CardPaymentOut(
                order_id=order_id,
                status=status,
                payment_intent=started.reference,
                redirect_url=started.redirect_url,
                client_secret=started.client_secret if status == "requires_action" else None,
            )
        )


PAYMENT_CONTROLLERS = (BankTransferController, OrderPaymentController)


# --- the Stripe webhook ---------------------------------------------------------------------


async def _tenant_by_slug(slug: str) -> Any:
    with system_scope("resolve the tenant of a Stripe webhook"):
        row = await Tenant.objects().where(Tenant.slug == slug).first()
    if row is None or row.status != TenantStatus.ACTIVE.value:
        return None
    return tenant_ref(row)


@post("/webhooks/stripe/{tenant_slug:str}", include_in_schema=False, status_code=200)
async def stripe_webhook(
    request: Request[Any, Any, Any], tenant_slug: FromPath[str]
) -> Response[Any]:
    """Verify the signature with the tenant's signing secret, record the event id once, then
    let the card adapter re-fetch the intent and apply each outcome once."""
    from plugins.card.events import record_event_once
    from plugins.card.tables import CardWebhookEvent
    from plugins.card.webhooks import SIGNATURE_HEADER, WebhookRejected, verify_webhook

    body = await request.body()
    tenant = await _tenant_by_slug(tenant_slug)
    if tenant is None:
        log.warning("stripe webhook for an unknown tenant", extra={"tenant_slug": tenant_slug})
        return error_response(
            request, 404, [FieldError("tenant", "payments.webhook.unknown_tenant")]
        )
    web = request.app.state.web
    with tenant_scope(tenant), bind_log_context(tenant=tenant.slug):
        ctx = Context(tenant, Actor.system("stripe-webhook"), web.clock)
        try:
            account = await _payment_account(request, ctx, "card")
        except ValidationFailed:
            log.warning("stripe webhook for a tenant without a card account")
            return error_response(
                request, 404, [FieldError("tenant", "payments.webhook.unknown_tenant")]
            )
        adapter = web.registry.payment_adapter("card")(account)
        try:
            event = verify_webhook(
                body, request.headers.get(SIGNATURE_HEADER), adapter.webhook_secret, ctx.clock.now()
            )
        except WebhookRejected as exc:
            log.warning("stripe webhook refused", extra={"reason": exc.reason})
            return error_response(
                request, 400, [FieldError("signature", "payments.webhook.rejected")]
            )
        seen = await CardWebhookEvent.exists().where(
            (CardWebhookEvent.tenant_id == tenant.id) & (CardWebhookEvent.event_id == event["id"])
        )
        if seen:
            return Response({"received": True, "duplicate": True, "applied": 0})
        outcomes = await adapter.confirm(ctx.with_key(f"stripe:{event['id']}"), {"event": event})
        applied = 0
        async with write_transaction():
            if not await record_event_once(ctx, event["id"], event["type"]):
                return Response({"received": True, "duplicate": True, "applied": 0})
            for outcome in outcomes:
                try:
                    result = await apply_outcome(
                        ctx, outcome, "card", recipients=customer_recipient
                    )
                except NotFound:
                    log.warning(
                        "stripe outcome for an unknown payable",
                        extra={"reference": outcome.reference, "payable_id": outcome.payable_id},
                    )
                    continue
                applied += int(result.applied)
    return Response({"received": True, "duplicate": False, "applied": applied})


@get(f"{RETURN_PATH}/{{tenant_slug:str}}", include_in_schema=False)
async def card_return(
    request: Request[Any, Any, Any],
    tenant_slug: FromPath[str],
    payment_intent: FromQuery[str] = "",
    order: FromQuery[int] = 0,
    to: FromQuery[str] = "",
    sig: FromQuery[str] = "",
) -> Response[Any]:
    """The browser back from 3-D Secure: check our signature over (tenant, order, return
    address), re-fetch the intent with the tenant's card account, apply its outcome once
    (the webhook applies the same ``pi_…`` reference), then redirect to the caller's
    ``return_url`` with ``order_id`` and ``payment`` (paid | failed | processing)."""
    tenant = await _tenant_by_slug(tenant_slug)
    if tenant is None:
        return error_response(request, 404, [FieldError("tenant", "api.not_found")])
    web = request.app.state.web
    expected = _return_signature(web.settings.secret_key, tenant.id, order, to)
    if not payment_intent or not hmac.compare_digest(expected, sig):
        log.warning("card return refused", extra={"tenant_slug": tenant_slug})
        return error_response(request, 400, [FieldError("sig", "payments.card.return_invalid")])
    with tenant_scope(tenant), bind_log_context(tenant=tenant.slug):
        ctx = Context(tenant, Actor.system("card-return"), web.clock)
        try:
            adapter = await card_adapter(request, ctx)
            outcomes = await adapter.confirm(ctx, {"payment_intent": payment_intent})
        except (ShomeiError, ValidationFailed) as exc:
            log.warning("card return: intent not read", extra={"error": str(exc)})
            return Redirect(_with_status(to, order, "processing"), status_code=303)
        try:
            await apply_card_outcomes(ctx, order, outcomes)
            status = await card_status(ctx, order, outcomes)
        except NotFound:
            return error_response(request, 404, [FieldError("order", "api.not_found")])
    return Redirect(_with_status(to, order, status), status_code=303)


def stripe_webhook_router() -> Router:
    """``POST /webhooks/stripe/{tenant_slug}`` and ``GET /payments/card/return/{tenant_slug}``:
    outside the API-key middleware; the webhook is exempt from CSRF, the return is a GET."""
    return Router(path="/", route_handlers=[stripe_webhook, card_return])


__all__ = ["PAYMENT_CONTROLLERS", "stripe_webhook_router"]
