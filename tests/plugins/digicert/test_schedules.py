"""DigiCert's jobs. Voucher expiry: an unused code past its redeem-by day becomes expired with
its entitlement, once, after the whole redeem-by day (UTC) has passed; used and cancelled codes
stay as they are. OnGoing invoices: last month's completed voucher orders, one invoice on the
1st."""

import secrets
from datetime import UTC, date, datetime, timedelta

from core.billing.invoices import get_invoice
from core.billing.tables import Invoice
from core.clock import FrozenClock
from core.context import Actor, ActorKind, Context, TenantRef, tenant_scope
from core.entitlements.tables import Entitlement
from core.plugins import build_plugin_manager
from core.schedules.marks import marks
from core.schedules.sweep import run_tenant
from plugins.digicert.contracts import set_contract
from plugins.digicert.provider import redeem_by_end
from plugins.digicert.schedules import (
    ONGOING_INVOICE,
    VOUCHER_EXPIRY,
    OngoingInvoices,
    VoucherExpiry,
)
from plugins.digicert.tables import DcVoucherCode, DcVoucherOrder
from tests.core.catalog.helpers import new_tenant_id
from tests.core.schedules.helpers import run_day
from tests.plugins.digicert.shop import BANK, ISSUER
from tests.tenants.helpers import active_tenant

REDEEM_BY = date(2027, 3, 31)


async def code(ctx: Context, value: str, status: str, redeem_by: date = REDEEM_BY) -> int:
    now = ctx.clock.now()
    rows = await DcVoucherCode.insert(
        DcVoucherCode(
            tenant_id=ctx.tenant.id, voucher_order_id=1, upstream_id=1, value=value,
            product_name_id="ssl_basic", status=status, created_at=now, redeem_by=redeem_by,
        )
    ).returning(DcVoucherCode.id)  # fmt: skip
    await Entitlement.insert(
        Entitlement(
            tenant_id=ctx.tenant.id, provider_code="digicert", product_code="ssl_basic",
            state={"active": "active", "used": "used"}.get(status, "cancelled"),
            upstream_ref=value, data={"kind": "voucher_code", "code": value, "status": status},
            issued_at=now, expires_at=redeem_by_end(redeem_by), created_at=now, updated_at=now,
        )
    )  # fmt: skip
    return rows[0]["id"]


def test_hook_registers_the_voucher_expiry_job_and_its_beat():
    pm = build_plugin_manager(load_entrypoints=False)
    assert VOUCHER_EXPIRY in [j.name for found in pm.hook.register_schedule_jobs() for j in found]
    beats = {k: v for found in pm.hook.register_periodic_tasks() for k, v in found.items()}
    assert beats["schedule-digicert-voucher-expiry"]["args"] == [VOUCHER_EXPIRY]
    assert beats["schedule-digicert-ongoing-invoice"]["args"] == [ONGOING_INVOICE]


async def test_unused_codes_past_redeem_by_expire_once(database):
    tenant = TenantRef(new_tenant_id(), "dc-expiry")
    clock = FrozenClock(datetime(2027, 3, 1, tzinfo=UTC))
    ctx = Context(tenant, Actor(ActorKind.STAFF, "1"), clock)
    job = VoucherExpiry()
    with tenant_scope(tenant):
        unused = await code(ctx, "A" * 32, "active")
        later = await code(ctx, "B" * 32, "active", date(2027, 4, 30))
        used = await code(ctx, "C" * 32, "used")
        cancelled = await code(ctx, "D" * 32, "cancelled")
        assert await run_day(job, tenant, date(2027, 3, 31)) == 0  # redeem-by day itself
        # 08:00 JST on 04-01 is 23:00 UTC on 03-31: the code can still be redeemed
        before = FrozenClock(datetime(2027, 3, 31, 23, tzinfo=UTC))
        assert await run_tenant(job, tenant, date(2027, 4, 1), before) == 0
        assert await run_day(job, tenant, date(2027, 4, 1)) == 1  # 09:30 JST
        assert await run_day(job, tenant, date(2027, 4, 1)) == 0  # a second beat
        assert await run_day(job, tenant, date(2027, 4, 2)) == 0
        codes = await DcVoucherCode.select(DcVoucherCode.id, DcVoucherCode.status).where(
            DcVoucherCode.tenant_id == tenant.id
        )
        states = await Entitlement.select(Entitlement.upstream_ref, Entitlement.state).where(
            Entitlement.tenant_id == tenant.id
        )
        done = await marks(ctx, VOUCHER_EXPIRY)
    assert {c["id"]: c["status"] for c in codes} == {
        unused: "expired",
        later: "active",
        used: "used",
        cancelled: "cancelled",
    }
    assert {s["upstream_ref"][0]: s["state"] for s in states} == {
        "A": "expired",
        "B": "active",
        "C": "used",
        "D": "cancelled",
    }
    assert [(m["subject_id"], m["step"]) for m in done] == [(unused, "expired")]


def line(product: str, quantity: int, unit_price: int) -> dict[str, object]:
    return {
        "product": product, "name_ja": product, "name_en": "Basic OV", "quantity": quantity,
        "years": 1, "fqdns": 1, "wildcards": 0, "unit_price": unit_price,
        "amount": unit_price * quantity,
    }  # fmt: skip


async def voucher_order(
    ctx: Context, created: datetime, status: str, lines: list, invoice_id: int | None = None
) -> int:
    rows = await DcVoucherOrder.insert(
        DcVoucherOrder(
            tenant_id=ctx.tenant.id, idempotency_key=f"{ctx.tenant.id}:{secrets.token_hex(6)}",
            request_digest="x", status=status, payment_method="invoice", lines=lines,
            total=sum(x["amount"] for x in lines), created_at=created, invoice_id=invoice_id,
        )
    ).returning(DcVoucherOrder.id)  # fmt: skip
    return rows[0]["id"]


async def test_an_ongoing_contract_gets_last_months_deliveries_invoiced_on_the_first(database):
    clock = FrozenClock(datetime(2027, 1, 5, tzinfo=UTC))
    result, _ = await active_tenant(clock)
    tenant = result.tenant
    ctx = Context(tenant, Actor(ActorKind.STAFF, "1"), clock)
    operator = Context(tenant, Actor(ActorKind.OPERATOR, "op-1"), clock)
    job = OngoingInvoices()
    with tenant_scope(tenant):
        await set_contract(operator, 1, "ongoing", ISSUER, BANK, "NET30EOM")
        jan = [
            await voucher_order(ctx, datetime(2027, 1, 5, tzinfo=UTC), "completed",
                                [line("ssl_basic", 2, 10_000)]),
            await voucher_order(ctx, datetime(2027, 1, 31, 14, tzinfo=UTC), "completed",
                                [line("ssl_plus", 1, 30_000), line("ssl_basic", 1, 10_000)]),
        ]  # fmt: skip
        await voucher_order(ctx, datetime(2027, 1, 9, tzinfo=UTC), "cancelled", [line("x", 1, 1)])
        await voucher_order(  # 2027-02-01 00:30 JST: February's
            ctx, datetime(2027, 1, 31, 15, 30, tzinfo=UTC), "completed", [line("ssl_ev", 1, 50_000)]
        )
        day = date(2027, 1, 20)
        while day <= date(2027, 3, 10):
            await run_day(job, tenant, day)
            await run_day(job, tenant, day)
            day += timedelta(days=1)
        bills = await (
            Invoice.select(Invoice.id).where(Invoice.tenant_id == tenant.id).order_by(Invoice.seq)
        )
        views = [await get_invoice(ctx, b["id"]) for b in bills]
        done = await marks(ctx, ONGOING_INVOICE)
    assert [(v.number, v.issue_date, v.due_date, v.subtotal) for v in views] == [
        ("INV-000001", date(2027, 2, 1), date(2027, 3, 31), 60_000),
        ("INV-000002", date(2027, 3, 1), date(2027, 4, 30), 50_000),
    ]
    assert [(x.service_code, x.quantity, x.unit_price) for x in views[0].lines] == [
        ("ssl_basic 1Yr", 2, 10_000),
        ("ssl_plus 1Yr", 1, 30_000),
        ("ssl_basic 1Yr", 1, 10_000),
    ]
    assert [(m["subject_id"], m["detail"]["orders"][:2]) for m in done] == [
        (202701, jan),
        (202702, done[1]["detail"]["orders"][:1]),
    ]
