"""The bulk-purchase contract (一括購入, DOMAIN "Money", seeds/000 覚書): its minimum purchase
level is invoiced once, dated its effective date; nothing is credited against it; codes not
issued by the anniversary of the effective date lapse. Both databases; the voucher order goes
to the sandbox upstream over HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from core.billing.invoices import get_invoice
from core.billing.tables import Invoice
from core.clock import FrozenClock
from core.context import Actor, ActorKind, Context, tenant_scope
from core.errors import ValidationFailed
from core.plugins import build_plugin_manager
from core.schedules.marks import marks
from plugins.digicert.contracts import get_contract, set_contract
from plugins.digicert.schedules import BULK_INVOICE, BulkInvoices, VoucherExpiry
from plugins.digicert.views import get_voucher_order
from plugins.digicert.vouchers import (
    VoucherLineIn,
    VoucherOrderIn,
    cancel_voucher_order,
    place_voucher_order,
)
from tests.core.schedules.helpers import run_day
from tests.plugins.digicert.helpers import refusal
from tests.plugins.digicert.shop import BANK, ISSUER
from tests.tenants.helpers import active_tenant

MINIMUM = 1_000_000


def operator_of(ctx: Context) -> Context:
    return Context(ctx.tenant, Actor(ActorKind.OPERATOR, "op-1", "Operator"), ctx.clock)


def test_hook_registers_the_bulk_run_beside_the_ongoing_run():
    pm = build_plugin_manager(load_entrypoints=False)
    assert BULK_INVOICE in [j.name for found in pm.hook.register_schedule_jobs() for j in found]
    beats = {k: v for found in pm.hook.register_periodic_tasks() for k, v in found.items()}
    assert beats["schedule-digicert-bulk-invoice"]["args"] == [BULK_INVOICE]


async def test_bulk_needs_its_effective_date_and_minimum(database):
    clock = FrozenClock(datetime(2027, 3, 1, tzinfo=UTC))
    result, _ = await active_tenant(clock)
    operator = Context(result.tenant, Actor(ActorKind.OPERATOR, "op-1"), clock)
    with tenant_scope(result.tenant):
        with pytest.raises(ValidationFailed) as refused:
            await set_contract(operator, 1, "bulk", ISSUER, BANK, "NET30EOM")
        texts = refusal(refused.value, "effective_on", "digicert.contract.effective_on_required")
        assert "発効日" in texts["ja"]
        refusal(refused.value, "minimum_purchase", "digicert.contract.minimum_purchase_invalid")
        saved = await set_contract(
            operator, 1, "bulk", ISSUER, BANK, "NET30EOM",
            effective_on=date(2027, 4, 1), minimum_purchase=MINIMUM,
        )  # fmt: skip
    assert (saved.effective_on, saved.minimum_purchase) == (date(2027, 4, 1), MINIMUM)


async def test_minimum_purchase_is_invoiced_once_on_the_effective_date(database):
    clock = FrozenClock(datetime(2027, 3, 1, tzinfo=UTC))
    result, _ = await active_tenant(clock)
    tenant = result.tenant
    ctx = Context(tenant, Actor(ActorKind.STAFF, "1"), clock)
    job = BulkInvoices()
    with tenant_scope(tenant):
        await set_contract(
            operator_of(ctx), 1, "bulk", ISSUER, BANK, "NET30EOM",
            effective_on=date(2027, 4, 1), minimum_purchase=MINIMUM,
        )  # fmt: skip
        day = date(2027, 3, 28)
        while day <= date(2027, 4, 10):
            await run_day(job, tenant, day)
            await run_day(job, tenant, day)
            day += timedelta(days=1)
        bills = await Invoice.select(Invoice.id).where(Invoice.tenant_id == tenant.id)
        views = [await get_invoice(ctx, b["id"]) for b in bills]
        done = await marks(ctx, BULK_INVOICE)
    assert [(v.issue_date, v.due_date, v.subtotal, v.contract_type) for v in views] == [
        (date(2027, 4, 1), date(2027, 5, 31), MINIMUM, "bulk")  # 翌月末日
    ]
    assert views[0].lines[0].item == "Minimum Purchase Level 2027-04-01 - 2028-03-31"
    assert [(m["subject_id"], m["detail"]["lapses_after"]) for m in done] == [
        (20270401, "2028-04-01")
    ]


async def test_codes_lapse_after_the_anniversary_and_nothing_is_credited(shop, client, upstream):
    """Generated 2026-03-14 under a contract effective 2025-09-01: the upstream's redeem-by
    (2027-03-14) is cut to 2026-09-01; a cancelled order voids nothing of the minimum."""
    ctx = shop.ctx
    with tenant_scope(shop.tenant):
        account_id = (await get_contract(ctx)).provider_account_id
        await set_contract(
            operator_of(ctx), account_id, "bulk", ISSUER, BANK, "NET30EOM",
            effective_on=date(2025, 9, 1), minimum_purchase=MINIMUM,
        )  # fmt: skip
        await run_day(BulkInvoices(), shop.tenant, date(2026, 3, 14))
        [bulk] = await Invoice.select(Invoice.id).where(Invoice.tenant_id == shop.tenant.id)
        request = VoucherOrderIn("bank_transfer", (VoucherLineIn("ssl_basic", quantity=2),))
        order = await place_voucher_order(ctx.with_key("bulk-1"), client, request)
        other = await place_voucher_order(
            ctx.with_key("bulk-2"), client, VoucherOrderIn("bank_transfer", request.lines, "B")
        )
        assert order.invoice_id is None and order.expiration_date == date(2026, 9, 1)
        assert {c.redeem_by for c in order.codes} == {date(2026, 9, 1)}
        cancelled = await cancel_voucher_order(ctx, client, order.id)
        assert cancelled.status == "cancelled"
        invoice = await get_invoice(ctx, bulk["id"])
        assert (invoice.status, invoice.grand_total) == ("open", MINIMUM * 110 // 100)
        assert await Invoice.count().where(Invoice.tenant_id == shop.tenant.id) == 1
        await run_day(VoucherExpiry(), shop.tenant, date(2026, 9, 1))
        assert {c.status for c in (await get_voucher_order(ctx, other.id)).codes} == {"active"}
        await run_day(VoucherExpiry(), shop.tenant, date(2026, 9, 2))
        assert {c.status for c in (await get_voucher_order(ctx, other.id)).codes} == {"expired"}
