"""``entitlement.issued`` → ``certificate.issued``: the customer's mail and tenants' webhooks.

``core.entitlements`` announces every entitlement that becomes usable (``entitlement.issued``:
ids, provider, product, state, expiry). When its data holds a certificate
(``certificate.py``), this outbox handler writes ``certificate.issued`` with what the
``certificate_issued`` mail needs (``core.messaging.events.MAIL_KINDS``): common name, serial,
expiry day in the recipient's language, the portal page to download it from, and the
recipient (the technical contact 技術担当者, else the billing contact, else the registrant, in
the tenant's language). Both events are webhook event types, so tenants' endpoints hear of
the entitlement and of the certificate. An entitlement without a certificate (a voucher
code, a pending application) sends no certificate mail.

Idempotent: the new event's key is derived from the delivered one's (the relay delivers at
least once). Kept free of Litestar: workers load it through ``web.builtin``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from core import outbox
from core.context import Context
from core.entitlements.queries import get_entitlement
from core.errors import NotFound
from core.links import default_public_url, tenant_url
from core.outbox_relay import Event, Handler
from core.payments.recipients import MailRecipient, mail_day, mail_language
from tenants.scoping import scoped
from tenants.tables import ContactRole, CustomerContact
from web.api.payment_recipients import customer_recipient
from web.portal_certificates.certificate import certificate_facts

ISSUED = "entitlement.issued"
CERTIFICATE_ISSUED = "certificate.issued"


async def certificate_recipient(ctx: Context, customer_id: int | None) -> MailRecipient | None:
    """The technical contact (技術担当者), else ``customer_recipient`` (billing, registrant)."""
    if not customer_id:
        return None
    technical = await (
        scoped(CustomerContact, ctx)
        .select(CustomerContact.name, CustomerContact.email)
        .where(
            (CustomerContact.customer == customer_id)
            & (CustomerContact.role == ContactRole.TECHNICAL.value)
        )
        .first()
        .run()
    )
    if technical and technical["email"]:
        return MailRecipient(technical["email"], ctx.tenant.language, technical["name"])
    return await customer_recipient(ctx, customer_id)


def certificate_handlers(
    public_url: Callable[[], str] = default_public_url,
) -> dict[str, list[Handler]]:
    """``register_event_handlers``' part: ``entitlement.issued`` → ``certificate.issued``."""

    async def announce_certificate(ctx: Context, event: Event) -> None:
        entitlement_id = event.payload.get("entitlement_id") or event.aggregate_id
        try:
            record = await get_entitlement(ctx, int(entitlement_id))
        except (NotFound, TypeError, ValueError):
            return
        facts = certificate_facts(record.data)
        if facts is None:
            return
        recipient = await certificate_recipient(ctx, record.customer_id)
        fields: dict[str, Any] = recipient.payload() if recipient else {}
        language = mail_language(ctx, fields)
        expires = record.expires_at or facts.not_after
        day = expires.astimezone(ZoneInfo(ctx.tenant.time_zone)).date()
        path = f"/portal/certificates/{record.id}"
        await outbox.record(
            ctx,
            "entitlement",
            record.id,
            CERTIFICATE_ISSUED,
            {
                **fields,
                "entitlement_id": record.id,
                "order_id": record.order_id,
                "customer_id": record.customer_id,
                "product_code": record.product_code,
                "common_name": facts.common_name,
                "dns_names": list(facts.dns_names),
                "serial": facts.serial,
                "expires_on": mail_day(day, language),
                "expires_at": expires.isoformat(),
                "download_url": tenant_url(public_url(), ctx.tenant.slug, path),
            },
            idempotency_key=f"{event.idempotency_key}:certificate",
        )

    return {ISSUED: [announce_certificate]}
