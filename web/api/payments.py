"""Payment routes: bank-transfer instructions, Zengin imports and the unmatched queue under
``/api/v1`` (API key), and the Stripe webhook under ``/webhooks`` (signed, no API key, no CSRF).

The webhook router is mounted by the card plugin's ``register_routes`` hook, so it exists exactly
when the card plugin (and its ``card_webhook_event`` table) is registered.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, Response, Router, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from core.context import Actor, Context, system_scope, tenant_scope
from core.contracts.common import PluginAccount
from core.errors import FieldError, NotFound, ValidationFailed
from core.i18n import Translator
from core.logs import bind_log_context
from core.orders.idempotency import write_transaction
from core.orders.views import order_row
from core.payments.ledger import AppliedPayment, apply_outcome, order_payment
from core.payments.transfers import (
    ExpectationView,
    ImportResult,
    UnmatchedLine,
    import_zengin,
    issue_transfer_instructions,
    list_unmatched,
    resolve_unmatched,
)
from tenants.credentials import Keyring
from tenants.onboarding import tenant_ref
from tenants.provider_accounts import plugin_account
from tenants.tables import Tenant, TenantStatus
from web.api.errors import error_response
from web.api.guards import requires_scope
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


@dataclass
class ResolveIn:
    order_id: int


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
        return await import_zengin(ctx, data)

    @get("/unmatched", summary="Transfers nobody matched (the finance queue)", guards=[READ])
    async def unmatched(self, ctx: NamedDependency[Context]) -> list[UnmatchedLine]:
        return await list_unmatched(ctx)

    @post(
        "/unmatched/{line_id:int}/resolve",
        summary="Assign an unmatched transfer to an order",
        guards=[WRITE],
        status_code=200,
    )
    async def resolve(
        self, ctx: NamedDependency[Context], line_id: FromPath[int], data: JSONBody[ResolveIn]
    ) -> AppliedPayment:
        return await resolve_unmatched(ctx, line_id, data.order_id)


class OrderPaymentController(Controller):
    path = "/orders/{order_id:int}"
    tags = ["payments"]

    @post(
        "/transfer-instructions",
        summary="Issue (or show again) an order's bank-transfer instructions",
        guards=[WRITE],
        status_code=200,
    )
    async def transfer_instructions(
        self,
        ctx: NamedDependency[Context],
        request: Request[Any, Any, Any],
        order_id: FromPath[int],
    ) -> ExpectationView:
        await order_row(ctx, order_id)  # another tenant's order: 404 before anything else
        account = await _payment_account(request, ctx, "bank_transfer")
        return await issue_transfer_instructions(ctx, order_id, account)

    @get("/payment", summary="An order's payment position", guards=[READ])
    async def payment(
        self,
        ctx: NamedDependency[Context],
        request: Request[Any, Any, Any],
        order_id: FromPath[int],
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
        )


PAYMENT_CONTROLLERS = (BankTransferController, OrderPaymentController)


# --- the Stripe webhook ---------------------------------------------------------------------


async def _tenant_by_slug(slug: str) -> Any:
    with system_scope("resolve the tenant of a Stripe webhook"):
        row = await Tenant.objects().where(Tenant.slug == slug).first()
    if row is None or row.status != TenantStatus.ACTIVE.value:
        return None
    return tenant_ref(row)


@post("/stripe/{tenant_slug:str}", include_in_schema=False, status_code=200)
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
                    result = await apply_outcome(ctx, outcome, "card")
                except NotFound:
                    log.warning(
                        "stripe outcome for an unknown payable",
                        extra={"reference": outcome.reference, "payable_id": outcome.payable_id},
                    )
                    continue
                applied += int(result.applied)
    return Response({"received": True, "duplicate": False, "applied": applied})


def stripe_webhook_router() -> Router:
    """``POST /webhooks/stripe/{tenant_slug}``: outside the API-key middleware and CSRF."""
    return Router(path="/webhooks", route_handlers=[stripe_webhook])


__all__ = ["PAYMENT_CONTROLLERS", "stripe_webhook_router"]
