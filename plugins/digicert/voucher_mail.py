"""バウチャー納品のお知らせ: the ``voucher.delivered`` mail of a voucher order, with its PDFs.

**When.** ``vouchers._complete`` writes the event once the order's codes are stored (and its
pay-as-you-go invoice issued), just before it marks the order completed: for an order staff
place in the console and for one ``DigiCertProvider.fulfil`` places for a paid order line
alike. Its key is per voucher order (``{tenant}:digicert_voucher_order:{id}:voucher.delivered``),
so a retried placement or fulfilment (which resumes a ``pending`` order) writes nothing new,
and the mailer's record per (key, recipient) keeps a redelivered event from mailing twice.

**Who.** The tenant's 事務担当者 (administrative contact): ``Tenant.contact_email`` and
``contact_name``, the billing contact the provider's invoices are addressed to
(``vouchers.tenant_billing_contact``). Seed 000: when vouchers are delivered to a partner's
account, "アカウント開設時に設定頂いた事務担当者様のアドレスに納品をお知らせするメールが届く".
A voucher order is the tenant's purchase from the provider, also when an end customer's
order caused it, so neither the staff user who placed it nor the end customer is written to.
In the tenant's language. No contact address: the event is still written (webhooks), no mail.

**What is attached** (``register_mail_attachments``, ``delivered_attachments``): the codes'
voucher PDF as the console's download makes it (``voucher_pdfs.render_now``, one page per
code, ``vouchers-<order number>-<language>.pdf``). The pay-as-you-go invoice (都度請求) is not
attached: its own ``invoice.issued`` mail brings it to the same address. An order of more than
``IMMEDIATE_MAX`` codes gets no voucher PDF (the codes are still listed in the mail): laid out
inside the outbox relay, up to 1000 pages would outlast the task's time limit; the mail links
to the console's PDF download instead (``pdf_url``), which makes it as a background job.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core import outbox
from core.billing.contact import BillingContact
from core.billing.pdf import format_day
from core.context import Context
from core.links import default_public_url, tenant_url
from core.messaging.mailer import Attachment
from core.outbox_relay import Event
from plugins.digicert.views import CodeView, order_codes
from plugins.digicert.voucher_pdfs import IMMEDIATE_MAX, render_now

DELIVERED = "voucher.delivered"
AGGREGATE = "digicert_voucher_order"
CONSOLE_PDF = "/console/vouchers/{order_id}/pdf"
"""The console's PDF download of a voucher order (``console.py``: ``BASE/{order_id}/pdf``)."""
REDEEM_PAGE = "/digicert/redeem"
"""The redemption page on the tenant's host (``redeem_pages.py``), which the mail links to."""


def delivered_key(ctx: Context, order_id: int) -> str:
    return f"{ctx.tenant.id}:{AGGREGATE}:{order_id}:{DELIVERED}"


def voucher_filename(order_number: str, language: str) -> str:
    """The name the console's order download gives the same PDF."""
    return f"vouchers-{order_number}-{language}.pdf"


async def announce_delivered(
    ctx: Context,
    order_id: int,
    order_number: str,
    invoice_id: int | None,
    contact: BillingContact,
) -> bool:
    """Write ``voucher.delivered`` for the order's codes (once per order; False when it was
    written before). ``order_number`` is the upstream's voucher order id, as the console
    shows it; ``contact`` the tenant's 事務担当者."""
    codes = await order_codes(ctx, order_id)
    language = ctx.tenant.language
    payload: dict[str, Any] = {
        "voucher_order_id": order_id,
        "order_number": order_number,
        "vouchers": [code.value for code in codes],
        "invoice_id": invoice_id,
        "language": language,
    }
    if contact.email.strip():
        payload["to"] = contact.email.strip()
    if contact.contact_name.strip():
        payload["customer_name"] = contact.contact_name.strip()
    if codes:
        payload["redeem_by"] = format_day(min(code.redeem_by for code in codes), language)
    if len(codes) == 1:  # the tenant's own redeem page, never the upstream's site
        path = f"{REDEEM_PAGE}?vc={codes[0].value}"
        payload["redeem_url"] = tenant_url(default_public_url(), ctx.tenant.slug, path)
    if len(codes) > IMMEDIATE_MAX:  # too many pages to lay out in the relay: a link instead
        path = CONSOLE_PDF.format(order_id=order_id)
        payload["pdf_url"] = tenant_url(default_public_url(), ctx.tenant.slug, path)
    return await outbox.record(
        ctx, AGGREGATE, order_id, DELIVERED, payload, delivered_key(ctx, order_id)
    )


def _mailed_codes(codes: list[CodeView], values: Sequence[str]) -> list[CodeView]:
    """The codes the mail names; all the order's listed codes when none of them is left (each
    was reissued before the mail went out)."""
    wanted = set(values)
    return [code for code in codes if code.value in wanted] or codes


async def delivered_attachments(ctx: Context, event: Event) -> list[Attachment]:
    """``register_mail_attachments``' builder for ``voucher.delivered`` (only this plugin's
    events): the voucher PDF, up to ``IMMEDIATE_MAX`` codes."""
    if event.aggregate_type != AGGREGATE:
        return []
    payload = event.payload
    language = str(payload.get("language") or ctx.tenant.language)
    files: list[Attachment] = []
    codes = _mailed_codes(
        await order_codes(ctx, int(payload["voucher_order_id"])), payload.get("vouchers") or []
    )
    if 0 < len(codes) <= IMMEDIATE_MAX:
        pdf = await render_now(ctx, codes, language)
        name = voucher_filename(str(payload["order_number"]), language)
        files.append(Attachment(name, "application/pdf", pdf))
    return files
