"""Application mails for every provider: 申込受付 (``application.received``) and 完了
(``application.completed``), followed from the entitlement events.

``core.entitlements`` writes ``entitlement.pending`` when an entitlement is stored waiting for
its upstream (a paid line whose application is under review, a voucher redeemed with a CSR
waiting for DCV, a reissue request) and ``entitlement.issued`` when a poll finds it done. These
outbox handlers translate them, whatever the provider:

- ``entitlement.pending`` with a receipt number (``data["receipt_number"]``, else the
  upstream's order or application number, ``upstream_ref``) → ``application.received`` once
  (its key is the pending event's, so one per entitlement and application), with
  ``receipt_number`` and ``application_type`` (the product's name and the kind of application,
  new / renewal / reissue …, in the recipient's language). No receipt number: no event.
- ``entitlement.issued`` that completes such an application (the last ``entitlement.pending``
  of the entitlement before it, whose ``application.received`` was written) →
  ``application.completed`` once, with the same receipt number and type, and the portal page
  of the entitlement as ``download_url``.

**One mail per moment.** When the completed entitlement holds the certificate itself
(``data["certificate_pem"]``), ``certificate.issued`` (``web.portal_certificates.events``)
already tells the customer, with the certificate's names, serial, expiry and download link, at
the same moment; a second 完了 mail saying less would only be noise, so none is written. The
完了 mail is for completions without a certificate in hand: a terminal reissue done on its
desired date (NACCS-style), a contract application established, a certificate whose files
the provider keeps itself (DigiCert-style, downloaded from the portal). The received mail is
always sent: nothing else acknowledges an application.

Recipient: the applicant's address when the provider keeps one (``data["applicant_email"]``,
``data["applicant_name"]``; a guided form asks for it), else the customer's contacts in the
order the certificate mail uses (technical 技術担当者, billing 事務担当者, registrant 登録担当者,
contract officer), in the tenant's language (customers have no language of their own). No
recipient: the events are still written (tenants' webhooks hear of them), and no mail is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core import outbox
from core.catalog.tables import Product
from core.context import Context
from core.entitlements.queries import get_entitlement
from core.entitlements.storing import PENDING_EVENT
from core.entitlements.views import EntitlementRecord
from core.errors import NotFound
from core.i18n import LANGUAGES, Translator, load_catalogs
from core.links import certificate_page, default_public_url
from core.outbox_relay import Event, Handler
from core.schedules.recipients import customer_recipient
from core.tables import OutboxEvent

ISSUED_EVENT = "entitlement.issued"
RECEIVED = "application.received"
COMPLETED = "application.completed"
RECIPIENT_ROLES = ("technical", "billing", "registrant", "contract_officer")
CERTIFICATE_FIELD = "certificate_pem"
"""Where a provider keeps an issued certificate (``core.contracts.issuers.IssuedCertificate``)."""

KIND_WORDS = (
    ("reissue", "reissue"),
    ("renew", "renewal"),
    ("revoke", "revocation"),
    ("cancel", "cancellation"),
    ("redeem", "new"),
)
"""An action's name → the kind of application it makes (the first word found in it)."""

_catalogs: list[dict[str, dict[str, str]]] = []


def _translator(language: str) -> Translator:
    if not _catalogs:
        _catalogs.append(load_catalogs("core.entitlements"))
    return Translator(_catalogs[0], language)


def application_kind(action: str | None, renews: bool = False) -> str:
    """``new``, ``renewal``, ``reissue``, ``revocation``, ``cancellation`` or ``other``."""
    if action is None:
        return "renewal" if renews else "new"
    return next((kind for word, kind in KIND_WORDS if word in action), "other")


def receipt_number(record: EntitlementRecord, payload: dict[str, Any]) -> str:
    """The provider's receipt number, else the upstream reference; empty when neither."""
    found = record.data.get("receipt_number") or payload.get("upstream_ref") or record.upstream_ref
    return str(found or "").strip()


def holds_certificate(data: dict[str, Any]) -> bool:
    value = data.get(CERTIFICATE_FIELD)
    return isinstance(value, str) and bool(value.strip())


async def _product_name(ctx: Context, record: EntitlementRecord, language: str) -> str:
    query = Product.select(Product.name_ja, Product.name_en).where(
        (Product.tenant_id == ctx.tenant.id) & (Product.code == record.product_code)
    )
    if record.provider_account_id is not None:
        query = query.where(Product.provider_account_id == record.provider_account_id)
    row = await query.first().run()
    if row is None:
        return record.product_code
    return (row["name_en"] if language == "en" else row["name_ja"]) or record.product_code


async def _recipient(ctx: Context, record: EntitlementRecord) -> dict[str, Any]:
    email = str(record.data.get("applicant_email") or "").strip()
    name = str(record.data.get("applicant_name") or "")
    if not email and record.customer_id:
        found = await customer_recipient(ctx, record.customer_id, RECIPIENT_ROLES)
        if found is not None:
            email, name = found.email, found.name
    if not email:
        return {}
    fields: dict[str, Any] = {"to": email, "language": ctx.tenant.language}
    if name:
        fields["customer_name"] = name
    return fields


async def _record(ctx: Context, event: Event) -> EntitlementRecord | None:
    try:
        return await get_entitlement(ctx, int(event.payload.get("entitlement_id") or 0))
    except (NotFound, TypeError, ValueError):
        return None


async def announce_received(ctx: Context, event: Event) -> None:
    """``entitlement.pending`` → ``application.received`` (see the module docstring)."""
    record = await _record(ctx, event)
    if record is None:
        return
    receipt = receipt_number(record, event.payload)
    if not receipt:
        return
    fields = await _recipient(ctx, record)
    language = fields.get("language")
    language = language if language in LANGUAGES else ctx.tenant.language
    t = _translator(language)
    kind = application_kind(event.payload.get("action"), bool(event.payload.get("renews")))
    application_type = t(
        "entitlements.application.type",
        product=await _product_name(ctx, record, language),
        kind=t(f"entitlements.application.kind.{kind}"),
    )
    await outbox.record(
        ctx,
        "entitlement",
        record.id,
        RECEIVED,
        {
            **fields,
            "entitlement_id": record.id,
            "order_id": record.order_id,
            "customer_id": record.customer_id,
            "product_code": record.product_code,
            "receipt_number": receipt,
            "application_kind": kind,
            "application_type": application_type,
        },
        idempotency_key=f"{event.idempotency_key}:{RECEIVED}",
    )


async def _received_before(ctx: Context, event: Event) -> dict[str, Any] | None:
    """The ``application.received`` of the last ``entitlement.pending`` of this entitlement
    written before ``event``, or None."""
    pending = await (
        OutboxEvent.select(OutboxEvent.idempotency_key)
        .where(
            (OutboxEvent.tenant_id == ctx.tenant.id)
            & (OutboxEvent.aggregate_type == event.aggregate_type)
            & (OutboxEvent.aggregate_id == event.aggregate_id)
            & (OutboxEvent.event_type == PENDING_EVENT)
            & (OutboxEvent.id < event.id)
        )
        .order_by(OutboxEvent.id, ascending=False)
        .first()
        .run()
    )
    if pending is None:
        return None
    return await (
        OutboxEvent.select(OutboxEvent.payload, OutboxEvent.idempotency_key)
        .where(
            (OutboxEvent.tenant_id == ctx.tenant.id)
            & (OutboxEvent.idempotency_key == f"{pending['idempotency_key']}:{RECEIVED}")
        )
        .first()
        .output(load_json=True)
        .run()
    )


def application_handlers(
    public_url: Callable[[], str] = default_public_url,
) -> dict[str, list[Handler]]:
    """``register_event_handlers``' part: pending → received, issued → completed."""

    async def announce_completed(ctx: Context, event: Event) -> None:
        """``entitlement.issued`` → ``application.completed`` (see the module docstring)."""
        record = await _record(ctx, event)
        if record is None or holds_certificate(record.data):
            return
        received = await _received_before(ctx, event)
        if received is None:
            return
        payload = received["payload"]
        fields = {k: payload[k] for k in ("to", "language", "customer_name") if k in payload}
        link = certificate_page(public_url(), ctx.tenant.slug, record.id)
        await outbox.record(
            ctx,
            "entitlement",
            record.id,
            COMPLETED,
            {
                **fields,
                "entitlement_id": record.id,
                "order_id": record.order_id,
                "customer_id": record.customer_id,
                "product_code": record.product_code,
                "receipt_number": payload["receipt_number"],
                "application_kind": payload.get("application_kind"),
                "application_type": payload.get("application_type"),
                **({"download_url": link} if link else {}),
            },
            idempotency_key=f"{received['idempotency_key']}:{COMPLETED}",
        )

    return {PENDING_EVENT: [announce_received], ISSUED_EVENT: [announce_completed]}
