"""Two tenants for the console tests: A with one staff member per role and one object of each
kind the console shows (customer with contacts, order, quote, invoice, unmatched bank line,
audit entry, mail), B with its owner only; and one browser that signs each of them in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from core.billing.invoices import create_invoice
from core.billing.models import LineDraft
from core.clock import FrozenClock
from core.context import Context, tenant_scope
from core.jobs.running import JobOutput, JobRun, run_job
from core.jobs.service import create_job
from core.messaging.tables import MailMessage, WebhookDelivery
from core.messaging.webhooks import create_endpoint
from core.orders.lifecycle import transition
from core.orders.lines import LineInput
from core.orders.placing import OrderRequest, create_order
from core.orders.quotes import QuoteRequest, create_quote
from core.orders.states import OrderState
from core.payments.tables import BankFile, BankLine
from tenants.api_keys import create_api_key
from tenants.customers import set_contact
from tenants.staff import add_staff
from tenants.tables import CustomerUser, StaffRole, StaffUser
from tests.core.billing.factories import draft
from tests.core.messaging.helpers import guard
from tests.core.orders.helpers import make_deps, priced_product
from tests.tenants.helpers import staff_context, unique
from tests.web.browser import PASSWORD, Shop, make_shop, on_host, sign_in

ROLES = [role.value for role in StaffRole]


@dataclass
class Tenant:
    shop: Shop
    staff: dict[str, str] = field(default_factory=dict)  # role -> e-mail
    ids: dict[str, int] = field(default_factory=dict)  # path parameter -> id
    invoice_number: str = ""
    customer_name: str = ""

    @property
    def host(self) -> str:
        return self.shop.host


async def _staff_per_role(shop: Shop, clock: FrozenClock) -> dict[str, str]:
    ctx = staff_context(shop.tenant, shop.owner_id, clock)
    found = {StaffRole.OWNER.value: shop.owner_email}
    with tenant_scope(shop.tenant):
        for role in ROLES:
            if role == StaffRole.OWNER.value:
                continue
            email = f"{unique(role.replace('_', ''))}@example.jp"
            await add_staff(ctx, email, f"{role} 担当", role, PASSWORD)
            await StaffUser.update({StaffUser.must_change_password: False}).where(
                StaffUser.email == email
            )
            found[role] = email
    return found


async def add_bank_line(shop: Shop, clock: FrozenClock, amount: int, name: str) -> int:
    """An unmatched transfer in the finance queue (as an import leaves one)."""
    with tenant_scope(shop.tenant):
        bank_file = BankFile(
            tenant_id=shop.tenant.id,
            fingerprint=unique("file"),
            kind="deposit_notice",
            line_count=1,
            new_lines=1,
            imported_at=clock.now(),
        )
        await bank_file.save()
        line = BankLine(
            tenant_id=shop.tenant.id,
            file_id=bank_file.id,
            fingerprint=unique("line").ljust(32, "0"),
            record_number=2,
            account_number="1234567",
            account_date=date(2026, 11, 21),
            amount=amount,
            payer_name=name,
            status="unmatched",
            reason="no_reference",
            order_ids=[],
        )
        await line.save()
    return line.id


async def _settings_objects(tenant: Tenant, clock: FrozenClock) -> dict[str, int]:
    """Objects of the settings pages (helper console-b's): a staff member, an API key, a
    webhook endpoint and one delivery to it."""
    shop = tenant.shop
    ctx = staff_context(shop.tenant, shop.owner_id, clock)
    with tenant_scope(shop.tenant):
        staff = await StaffUser.select(StaffUser.id).where(
            StaffUser.email == tenant.staff[StaffRole.READ_ONLY.value]
        )
        key = await create_api_key(ctx, "walk", ["orders:read"])
        endpoint, _ = await create_endpoint(
            ctx, "https://hooks.example.jp/shomei", ["*"], guard=guard()
        )
        delivery = WebhookDelivery(
            tenant_id=shop.tenant.id,
            endpoint_id=endpoint.id,
            event_id=1,
            event_type="order.paid",
            idempotency_key=unique("delivery"),
            body="{}",
            status="delivered",
            attempts=1,
            window_started_at=clock.now(),
            created_at=clock.now(),
            delivered_at=clock.now(),
        )
        await delivery.save()
    return {
        "staff_id": staff[0]["id"],
        "key_id": key.id,
        "endpoint_id": endpoint.id,
        "delivery_id": delivery.id,
    }


async def _finished_job(ctx: Context) -> int:
    """A finished background job with a file (its progress page, its download)."""

    async def export(run: JobRun) -> JobOutput:
        await run.progress(1, total=1)
        return JobOutput("\ufeff番号\r\n1\r\n".encode(), "orders.csv", "text/csv; charset=utf-8")

    with tenant_scope(ctx.tenant):
        job = await create_job(ctx, "console.csv_export", permission="orders.view")
        await run_job(ctx, job.id, {job.kind: export}, claim="world", lease_seconds=60)
    return job.id


async def make_tenant(clock: FrozenClock, *, objects: bool = True) -> Tenant:
    shop = await make_shop(clock)
    tenant = Tenant(shop, await _staff_per_role(shop, clock))
    if not objects:
        return tenant
    ctx = staff_context(shop.tenant, shop.owner_id, clock, name="オーナー")
    with tenant_scope(shop.tenant):
        rows = await CustomerUser.select(CustomerUser.customer).where(
            CustomerUser.id == shop.customer_user_id
        )
        customer_id = rows[0]["customer"]
        await set_contact(
            ctx, customer_id, "billing", "経理 花子", "billing@example.jp", "03-1111-2222"
        )
        product = await priced_product(
            ctx, 10_000, code=f"ssl-{unique('p')}", per_additional_fqdn=500
        )
        order = await create_order(
            ctx,
            OrderRequest(
                "bank_transfer",
                (LineInput(product, quantity=3, term_months=24, fqdns=2),),
                customer_id=customer_id,
            ),
            make_deps(),
        )
        await transition(ctx, order.id, OrderState.AWAITING_PAYMENT, "console test")
        quote = await create_quote(
            ctx,
            QuoteRequest(
                (LineInput(product, quantity=1, term_months=12),),
                customer_id=customer_id,
                title="見積り件名テスト",
            ),
            make_deps(),
        )
        line = LineDraft("SSLOV 2Yr", "OV SSL 2 Years", 3, order.lines[0].unit_price)
        invoice = await create_invoice(ctx, draft(str(order.id), lines=(line,)))
        await MailMessage(
            tenant_id=shop.tenant.id,
            recipient="billing@example.jp",
            subject="お振込先のご案内",
            template="payment_instructions",
            event_type="payment.instructions_issued",
            idempotency_key=unique("mail"),
            status="sent",
            transport="file",
            created_at=clock.now(),
            sent_at=clock.now(),
        ).save()
    tenant.ids = {
        **await _settings_objects(tenant, clock),
        "product_id": product,
        "order_id": order.id,
        "quote_id": quote.id,
        "customer_id": customer_id,
        "invoice_id": invoice.id,
        "line_id": await add_bank_line(shop, clock, 99_999, "ﾃｽﾄ ﾀﾛｳ"),
        "job_id": await _finished_job(ctx),
    }
    tenant.invoice_number = invoice.number
    tenant.customer_name = "お客様株式会社"
    return tenant


class Sessions:
    """One test client (its loop owns the app) and one session cookie per signed-in e-mail."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.cookies: dict[str, str] = {}

    async def as_staff(self, tenant: Tenant, role: str = "owner") -> Any:
        email = tenant.staff[role]
        client = self.client
        on_host(client, tenant.host)
        client.cookies.clear()
        if email in self.cookies:
            client.cookies.set("shomei_session", self.cookies[email])
        else:
            signed = await sign_in(client, "console", email)
            assert signed.status_code == 303, signed.text
            assert signed.headers["location"] == "/console/", signed.headers["location"]
            self.cookies[email] = client.cookies.get("shomei_session") or ""
        return client
