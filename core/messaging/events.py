"""Which outbox events become which e-mail, and which may go to tenant webhooks.

The payload contract (docs/messaging.md): every mail event carries ``to`` (one address or a
list) and may carry ``language`` (``ja``/``en``; default: the tenant's language); the fields
named in ``required`` must be present, the ``optional`` ones are shown when given.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MailKind:
    event_type: str
    template: str
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    sealed: tuple[str, ...] = ()
    """Fields that carry a one-time token: they arrive only sealed (``mail_secrets``)."""
    platform: bool = False
    """Sent by the platform to a company joining it (sign-up, review), not by a tenant to its
    customers: branded as the platform (``branding.PLATFORM_BRANDING``)."""


MAIL_KINDS: dict[str, MailKind] = {
    kind.event_type: kind
    for kind in (
        MailKind(
            "order.received",
            "order_received",
            ("order_number", "total"),
            ("customer_name", "items", "order_url"),
        ),
        MailKind(
            "payment.instructions_issued",
            "payment_instructions",
            ("order_number", "amount", "due_date", "bank_account"),
            ("customer_name", "transfer_name"),
        ),
        MailKind(
            "payment.confirmed",
            "payment_confirmed",
            ("order_number", "amount"),
            ("customer_name", "paid_on", "order_url"),
        ),
        MailKind(
            "voucher.delivered",
            "voucher_delivered",
            ("order_number", "vouchers"),
            ("customer_name", "redeem_by", "redeem_url", "pdf_url"),
        ),
        MailKind(
            "certificate.issued",
            "certificate_issued",
            ("common_name", "serial", "expires_on"),
            ("customer_name", "download_url"),
        ),
        MailKind(
            "renewal.due",
            "renewal_due",
            ("common_name", "expires_on", "renew_url"),
            ("customer_name", "days_left"),
        ),
        MailKind(
            "renewal.failed",
            "renewal_failed",
            ("common_name", "amount", "renew_url"),
            ("customer_name", "next_attempt_on", "manual"),
        ),
        MailKind(
            "invoice.issued",
            "invoice_issued",
            ("invoice_id", "number", "grand_total"),
            ("customer_name", "due_date", "invoice_url"),
        ),
        MailKind(
            "invoice.overdue",
            "payment_overdue",
            ("number", "grand_total", "due_date"),
            ("customer_name", "invoice_url"),
        ),
        MailKind(
            "quote.sent",
            "quote_sent",
            ("quote_number", "total", "valid_until"),
            ("customer_name", "title"),
        ),
        MailKind(
            "application.received",
            "application_received",
            ("receipt_number",),
            ("customer_name", "application_type", "form_url"),
        ),
        MailKind(
            "application.completed",
            "application_complete",
            ("receipt_number",),
            ("customer_name", "application_type", "download_url"),
        ),
        MailKind(
            "auth.password_reset_requested",
            "password_reset",
            ("reset_url",),
            ("name", "expires_minutes"),
            ("reset_url",),
        ),
        MailKind(
            "auth.email_change_requested",
            "email_change",
            ("confirm_url",),
            ("name", "new_email"),
            ("confirm_url",),
        ),
        MailKind(
            "signup.verification_requested",
            "signup_verification",
            ("verify_url",),
            ("name", "organization_name", "slug"),
            ("verify_url",),
            platform=True,
        ),
        MailKind(
            "signup.approved",
            "signup_approved",
            ("console_url",),
            ("name", "organization_name", "slug", "login_email"),
            platform=True,
        ),
        MailKind(
            "signup.rejected",
            "signup_rejected",
            ("reason",),
            ("name", "organization_name"),
            platform=True,
        ),
    )
}
"""Event type -> the mail it sends."""

WEBHOOK_EVENT_TYPES: tuple[str, ...] = (
    "order.created",
    "order.awaiting_payment",
    "order.paid",
    "order.fulfilling",
    "order.fulfilled",
    "order.cancelled",
    "order.refunded",
    "order.failed",
    "order.received",
    "payment.instructions_issued",
    "payment.confirmed",
    "invoice.issued",
    "invoice.paid",
    "invoice.voided",
    "invoice.overdue",
    "voucher.delivered",
    "entitlement.issued",
    "certificate.issued",
    "renewal.due",
    "renewal.charged",
    "renewal.failed",
    "quote.expired",
    "application.received",
    "application.completed",
    "checkout_session.order_paid",
    "checkout_session.entitlement_issued",
)
"""Events a tenant may subscribe an endpoint to. Never auth.* (they carry secrets)."""

PRIVATE_PAYLOAD_FIELDS = ("to", "language")
"""Mail routing fields, left out of webhook bodies."""
