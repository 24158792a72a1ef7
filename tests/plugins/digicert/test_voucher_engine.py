"""The voucher engine in shomei against the sandbox upstream over HTTP, on both databases."""

from __future__ import annotations

import asyncio
import csv
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.billing.invoices import get_invoice, mark_paid
from core.context import tenant_scope
from core.errors import ValidationFailed
from plugins.digicert import exports, redemption
from plugins.digicert.exports import CODE_COLUMNS, ORDER_COLUMNS
from plugins.digicert.tables import DcVoucherOrder
from plugins.digicert.views import get_voucher_order
from plugins.digicert.vouchers import (
    VoucherLineIn,
    VoucherOrderIn,
    cancel_voucher_order,
    place_voucher_order,
    reissue_code,
)
from tenants.audit import list_audit
from tenants.tables import Tenant
from tests.csr_helpers import make_csr
from tests.plugins.digicert.helpers import refusal
from tests.plugins.digicert.test_certificates import csr_sans, openssl_verify, sans

CODE = re.compile(r"^[A-Z0-9]{32}$")
NAMES = ("www.shop.test", "shop.test")


def three_by_transfer(**changes: object) -> VoucherOrderIn:
    plain: dict[str, object] = {
        "payment_method": "bank_transfer",
        "lines": (VoucherLineIn("ssl_basic", quantity=3, years=1, fqdns=2, wildcards=0),),
        "customer_name": "株式会社サンプル",
        "notes": "4月納品分",
    }
    plain.update(changes)
    return VoucherOrderIn(**plain)  # type: ignore[arg-type]


async def place(shop, client, key: str = "order-key-1", **changes: object):
    ctx = shop.ctx.with_key(key)
    with tenant_scope(shop.tenant):
        return await place_voucher_order(ctx, client, three_by_transfer(**changes))


async def test_three_vouchers_by_bank_transfer(shop, client, upstream):
    order = await place(shop, client)
    assert order.status == "completed"
    assert len(order.codes) == 3
    assert all(c.status == "active" and CODE.match(c.value) for c in order.codes)
    generated = upstream.clock.now().date()
    assert all(c.redeem_by == generated.replace(year=generated.year + 1) for c in order.codes)
    assert order.total == 3 * (17_600 + 26_400)  # base + one additional FQDN, three times
    assert (order.balance_before, order.balance_after) == (0, 0)
    with tenant_scope(shop.tenant):
        invoice = await get_invoice(shop.ctx, order.invoice_id)
    assert invoice.status == "open"
    assert invoice.payment_term == "NET30EOM"
    assert invoice.due_date == date(2026, 4, 30)  # end of the month after the issue month
    assert invoice.reference_kind == "voucher_order"
    assert invoice.reference_number == str(order.upstream_id)
    assert invoice.subtotal == order.total
    assert invoice.recipient.organization_name == "テストホスティング株式会社"

    again = await place(shop, client)  # same key: same order, codes and invoice
    assert (again.id, again.invoice_id) == (order.id, order.invoice_id)
    assert [c.value for c in again.codes] == [c.value for c in order.codes]
    assert len(await client.list_voucher_orders()) == 1
    with pytest.raises(ValidationFailed) as refused:
        await place(shop, client, notes="another request")
    refusal(refused.value, "idempotency_key", "digicert.voucher_order.key_reused")


async def test_line_limits_and_incomplete_billing_contact(shop, client):
    bad = (VoucherLineIn("ssl_basic", quantity=1001, years=7, fqdns=251, wildcards=-1),)
    with pytest.raises(ValidationFailed) as refused:
        await place(shop, client, "k-limits-1", lines=bad)
    ids = {e.message_id for e in refused.value.errors}
    assert ids == {
        "digicert.line.quantity_out_of_range", "digicert.line.years_out_of_range",
        "digicert.line.fqdns_out_of_range", "digicert.line.wildcards_out_of_range",
    }  # fmt: skip
    await (
        Tenant.update({Tenant.organization_name: "", Tenant.postal_code: ""})
        .where(Tenant.id == shop.tenant.id)
        .run()
    )
    with pytest.raises(ValidationFailed) as refused:
        await place(shop, client, "k-contact-1")
    assert [e.message_id for e in refused.value.errors][:2] == [
        "billing.contact.organization_name_required",
        "billing.contact.postal_code_required",
    ]


async def test_csv_exports_have_the_seed_columns_and_a_bom(shop, client, upstream):
    order = await place(shop, client)
    with tenant_scope(shop.tenant):
        formula = '=HYPERLINK("http://attacker.example/","open")'  # staff notes, typed by anyone
        await DcVoucherOrder.update({DcVoucherOrder.notes: formula}).where(
            DcVoucherOrder.id == order.id
        )
        orders_csv = await exports.voucher_orders_csv(shop.ctx, status="completed")
        codes_csv = await exports.order_codes_csv(shop.ctx, order.id)
        used_csv = await exports.used_codes_csv(shop.ctx)
        none = await exports.voucher_orders_csv(shop.ctx, created_from=date(2027, 1, 1))
    for content in (orders_csv, codes_csv, used_csv, none):
        assert content.startswith(b"\xef\xbb\xbf")
    text = orders_csv.decode("utf-8-sig").split("\r\n")
    assert text[0] == ",".join(ORDER_COLUMNS)
    assert text[1].startswith(f"{order.upstream_id},株式会社サンプル,Completed,{order.total},")
    [row] = csv.reader([text[1]])
    assert row[-1] == "'" + formula  # read as text, never run
    assert none.decode("utf-8-sig").strip() == ",".join(ORDER_COLUMNS)
    lines = codes_csv.decode("utf-8-sig").strip().split("\r\n")
    assert lines[0] == ",".join(CODE_COLUMNS) and len(lines) == 4
    assert used_csv.decode("utf-8-sig").strip() == ",".join(CODE_COLUMNS)  # nothing used yet


async def test_cancel_day_29_and_day_31(shop, client, upstream):
    first = await place(shop, client, "cancel-key-1")
    second = await place(shop, client, "cancel-key-2", notes="second")
    upstream.clock.advance(timedelta(days=29))
    with tenant_scope(shop.tenant):
        cancelled = await cancel_voucher_order(shop.ctx, client, first.id)
        assert cancelled.status == "cancelled"
        assert {c.status for c in cancelled.codes} == {"cancelled"}
        invoice = await get_invoice(shop.ctx, first.invoice_id)
        assert invoice.status == "void"
        assert invoice.voided_by == "Owner" and invoice.voided_at == upstream.clock.now()
        assert "Cancel requested on" in invoice.void_reason
        upstream.clock.advance(timedelta(days=2))
        with pytest.raises(ValidationFailed) as refused:
            await cancel_voucher_order(shop.ctx, client, second.id)
        refusal(refused.value, "voucher_order", "digicert.cancel.after_30_days")
    assert (await client.get_voucher_order(first.upstream_id)).status == "cancelled"
    assert (await client.get_voucher_order(second.upstream_id)).status == "completed"


async def test_cancel_refused_unless_every_code_is_active_or_when_paid(shop, client, upstream):
    order = await place(shop, client, "not-all-active")
    paid = await place(shop, client, "paid-order", notes="paid")
    with tenant_scope(shop.tenant):
        await redemption.redeem(
            shop.ctx,
            client,
            order.codes[0].value,
            None,
            make_csr(NAMES[0], NAMES),
            "株式会社テスト",
        )
        with pytest.raises(ValidationFailed) as refused:
            await cancel_voucher_order(shop.ctx, client, order.id)
        refusal(refused.value, "voucher_order", "digicert.cancel.not_all_active")
        await mark_paid(shop.ctx, paid.invoice_id, "transfer-1")
        with pytest.raises(ValidationFailed) as refused:
            await cancel_voucher_order(shop.ctx, client, paid.id)
        assert refused.value.errors[0].message_id == "billing.invoice.paid_cannot_be_voided"
        assert (await get_voucher_order(shop.ctx, paid.id)).status == "completed"
    assert (await client.get_voucher_order(paid.upstream_id)).status == "completed"


async def test_reissue_keeps_redeem_by_and_is_audited(shop, client, upstream):
    order = await place(shop, client, "reissue-key")
    old = order.codes[1]
    upstream.clock.advance(timedelta(days=10))
    with tenant_scope(shop.tenant):
        after = await reissue_code(shop.ctx, client, old.id)
        entries = (await list_audit()).entries
    values = [c.value for c in after.codes]
    assert old.value not in values and len(values) == 3
    new = next(c for c in after.codes if c.replaces_code_id == old.id)
    assert new.redeem_by == old.redeem_by and new.status == "active"
    upstream_codes = await client.voucher_codes(order.upstream_id)
    assert old.value not in [c.value for c in upstream_codes]
    assert new.value in [c.value for c in upstream_codes]
    assert {c.redeem_by for c in upstream_codes} == {old.redeem_by.isoformat()}
    reissued = [e for e in entries if e.action == "digicert.voucher_code.reissued"]
    assert reissued[0].object_id == str(old.id)
    assert reissued[0].details["new_code_id"] == new.id
    with tenant_scope(shop.tenant), pytest.raises(ValidationFailed) as refused:
        await redemption.redeem(shop.ctx, client, old.value, None, make_csr(), "株式会社テスト")
    refusal(refused.value, "code", "digicert.redeem.code_not_active")


async def test_delegated_delivery_is_attributed(shop, client):
    acting = shop.operator_acting().with_key("delegated-1")
    with tenant_scope(shop.tenant):
        order = await place_voucher_order(acting, client, three_by_transfer())
        entries = (await list_audit()).entries
    assert order.on_behalf_of == "operator:op-7"
    created = [e for e in entries if e.action == "digicert.voucher_order.created"]
    assert [(e.object_id, e.on_behalf_of, e.actor_id) for e in created] == [
        (str(order.id), "operator:op-7", "dcj_sales_invoice")
    ]


async def redeem_and_issue(shop, client, upstream, code_value: str, names=NAMES):
    csr = make_csr(names[0], names)
    with tenant_scope(shop.tenant):
        started = await redemption.redeem(shop.ctx, client, code_value, 42, csr, "株式会社テスト")
        assert started.status == "pending"
        pending = await redemption.poll(shop.ctx, client, started.id)
        assert pending.status == "pending"  # no token served yet
        for name in names:
            upstream.tokens.serve_token(name, started.dcv_random_value)
        return await redemption.poll(shop.ctx, client, started.id), csr


async def test_redeem_through_dcv_to_a_verifiable_certificate(shop, client, upstream, tmp_path):
    order = await place(shop, client, "redeem-1")
    issued, csr = await redeem_and_issue(shop, client, upstream, order.codes[0].value)
    assert issued.status == "issued"
    chain = tuple(
        p + "-----END CERTIFICATE-----\n"
        for p in issued.pem_chain.split("-----END CERTIFICATE-----")
        if p.strip()
    )
    assert sorted(sans(chain[0])) == sorted(csr_sans(csr))
    at = int(upstream.clock.now().timestamp()) + 3600
    assert "OK" in openssl_verify(tmp_path, tuple(c.strip() + "\n" for c in chain), at)
    with tenant_scope(shop.tenant):
        view = await get_voucher_order(shop.ctx, order.id)
        used = (await exports.used_codes_csv(shop.ctx)).decode("utf-8-sig").strip().split("\r\n")
    assert [c.status for c in view.codes] == ["used", "active", "active"]
    assert len(used) == 2 and ",www.shop.test," in used[1]


async def test_csr_and_name_checks(shop, client):
    order = await place(shop, client, "names-1")
    code = order.codes[0].value
    cases = {
        ("www.shop.test", "a.shop.test", "b.shop.test"): "digicert.redeem.too_many_names",
        ("www.shop.test", "*.shop.test"): "digicert.redeem.too_many_names",
        ("www.shop.test", "192.0.2.1"): "csr.name_not_dns",
        ("www.shop.test", "intranet.local"): "csr.internal_name",
        ("www.shop.test", "a.*.shop.test"): "csr.name_invalid",
    }
    with tenant_scope(shop.tenant):
        for names, message_id in cases.items():
            with pytest.raises(ValidationFailed) as refused:
                await redemption.redeem(
                    shop.ctx, client, code, None, make_csr(names[0], names), "x"
                )
            assert message_id in {e.message_id for e in refused.value.errors}, names
        with pytest.raises(ValidationFailed) as refused:
            await redemption.redeem(shop.ctx, client, code, None, "not a csr", "x")
        assert refused.value.errors[0].message_id == "csr.unreadable"
        view = await get_voucher_order(shop.ctx, order.id)
    assert view.codes[0].status == "active"


async def test_fifty_concurrent_redemptions_use_the_code_once(shop, client, upstream, database):
    order = await place(shop, client, "race-1")
    code = order.codes[0].value
    csr = make_csr(NAMES[0], NAMES)

    async def attempt():
        with tenant_scope(shop.tenant):
            return await redemption.redeem(shop.ctx, client, code, None, csr, "株式会社テスト")

    results = await asyncio.gather(*(attempt() for _ in range(50)), return_exceptions=True)
    won = [r for r in results if not isinstance(r, BaseException)]
    lost = [r for r in results if isinstance(r, ValidationFailed)]
    assert len(won) == 1 and len(lost) == 49, [r for r in results if isinstance(r, Exception)][:3]
    assert {e.errors[0].message_id for e in lost} == {"digicert.redeem.code_not_active"}
    assert len(await client.list_certificate_orders()) == 1


async def test_cancel_certificate_within_and_after_30_days(shop, client, upstream):
    order = await place(shop, client, "cert-cancel-1")
    other = await place(shop, client, "cert-cancel-2", notes="late")
    early, _ = await redeem_and_issue(shop, client, upstream, order.codes[0].value)
    late, _ = await redeem_and_issue(shop, client, upstream, other.codes[0].value)
    upstream.clock.advance(timedelta(days=29))
    with tenant_scope(shop.tenant):
        cancelled = await redemption.cancel_certificate(shop.ctx, client, early.id)
        assert cancelled.status == "cancelled"
        view = await get_voucher_order(shop.ctx, order.id)
        assert view.codes[0].status == "active"
        assert view.codes[0].redeem_by == order.codes[0].redeem_by
        assert (await get_invoice(shop.ctx, order.invoice_id)).status == "void"
        upstream.clock.advance(timedelta(days=2))
        with pytest.raises(ValidationFailed) as refused:
            await redemption.cancel_certificate(shop.ctx, client, late.id)
        refusal(refused.value, "certificate", "digicert.cancel_certificate.after_30_days")
        assert (await get_voucher_order(shop.ctx, other.id)).codes[0].status == "used"
    codes = await client.voucher_codes(order.upstream_id)
    assert codes[0].status == "active"


@pytest.mark.parametrize("language", ["ja", "en"])
async def test_voucher_pdf_has_the_code_and_both_links(shop, client, tmp_path, language):
    import subprocess

    from plugins.digicert.pdf import VoucherPdfRenderer
    from tests.plugins.digicert.shop import ISSUER

    order = await place(shop, client, f"pdf-{language}")
    code = order.codes[0]
    pdf = VoucherPdfRenderer().pdf([code], ISSUER, language)
    path = tmp_path / "voucher.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = re.sub(r"\s+", "", text)
    assert code.value in flat
    assert re.sub(r"\s+", "", code.redeem_link) in flat
    assert re.sub(r"\s+", "", code.renewal_redeem_link) in flat
    title = "証明書バウチャー" if language == "ja" else "Certificatevoucher"
    assert title in flat and "デジサート・ジャパン合同会社" in flat


@pytest.mark.parametrize(
    ("language", "mark"), [("ja", "キャンセル済み"), ("en", "CANCELLED(VOID)")]
)
async def test_a_cancelled_orders_voucher_pdf_says_it_is_cancelled(
    shop, client, tmp_path, language, mark
):
    import subprocess

    from plugins.digicert.pdf import VoucherPdfRenderer
    from tests.plugins.digicert.shop import ISSUER

    order = await place(shop, client, f"pdf-cancel-{language}")

    def text_of(codes) -> str:
        path = tmp_path / "voucher.pdf"
        path.write_bytes(VoucherPdfRenderer().pdf(codes, ISSUER, language))
        out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True)
        return re.sub(r"\s+", "", out.stdout)

    assert mark not in text_of(order.codes)
    with tenant_scope(shop.tenant):
        cancelled = await cancel_voucher_order(shop.ctx, client, order.id)
    flat = text_of(cancelled.codes)
    assert mark in flat and cancelled.codes[0].value in flat


async def test_cancel_windows_end_with_day_30_in_japan(shop, client, upstream):
    """生成から / 発行完了後 30 日以内: 23:59 JST of day 30 allowed, 00:00 of day 31 refused,
    in shomei and in the sandbox (core.calendar_windows), not 30 x 24 hours."""
    jst = ZoneInfo("Asia/Tokyo")
    upstream.clock.set(datetime(2026, 3, 14, 21, 0, tzinfo=jst))
    first = await place(shop, client, "window-1")
    second = await place(shop, client, "window-2", notes="second")
    issued, _ = await redeem_and_issue(shop, client, upstream, first.codes[0].value)
    late, _ = await redeem_and_issue(shop, client, upstream, second.codes[0].value)
    assert issued.status == late.status == "issued"
    upstream.clock.set(datetime(2026, 4, 13, 23, 59, tzinfo=jst))  # day 30; 722 h later
    with tenant_scope(shop.tenant):
        cancelled = await redemption.cancel_certificate(shop.ctx, client, issued.id)
        assert cancelled.status == "cancelled"  # and its voucher active again
        assert (await get_voucher_order(shop.ctx, first.id)).codes[0].status == "active"
        upstream.clock.set(datetime(2026, 4, 14, 0, 0, tzinfo=jst))  # day 31
        with pytest.raises(ValidationFailed) as refused:
            await redemption.cancel_certificate(shop.ctx, client, late.id)
        refusal(refused.value, "certificate", "digicert.cancel_certificate.after_30_days")
    third = await place(shop, client, "window-3", notes="third")  # generated 14 April 00:00
    fourth = await place(shop, client, "window-4", notes="fourth")
    upstream.clock.set(datetime(2026, 5, 14, 23, 59, tzinfo=jst))
    with tenant_scope(shop.tenant):
        assert (await get_voucher_order(shop.ctx, third.id)).can_cancel
        assert (await cancel_voucher_order(shop.ctx, client, third.id)).status == "cancelled"
        upstream.clock.set(datetime(2026, 5, 15, 0, 0, tzinfo=jst))
        assert not (await get_voucher_order(shop.ctx, fourth.id)).can_cancel
        with pytest.raises(ValidationFailed) as refused:
            await cancel_voucher_order(shop.ctx, client, fourth.id)
        refusal(refused.value, "voucher_order", "digicert.cancel.after_30_days")
        void = await get_invoice(shop.ctx, third.invoice_id)
        assert "Cancel requested on 2026-05-14 23:59:00 JST by Owner" in void.void_reason
    assert (await client.get_voucher_order(third.upstream_id)).status == "cancelled"
    assert not (await client.get_voucher_order(fourth.upstream_id)).can_cancel


async def test_csv_dates_are_the_tenants_days(shop, client, upstream):
    """Generated at 23:30 UTC on 14 March: 08:30 on 15 March in Japan, in every CSV column and
    in the creation-date filter."""
    upstream.clock.set(datetime(2026, 3, 14, 23, 30, tzinfo=UTC))
    order = await place(shop, client, "csv-tz")
    with tenant_scope(shop.tenant):
        await redemption.redeem(
            shop.ctx, client, order.codes[0].value, 42, make_csr(NAMES[0], NAMES), "株式会社テスト"
        )
        orders_csv = await exports.voucher_orders_csv(shop.ctx, created_from=date(2026, 3, 15))
        none = await exports.voucher_orders_csv(shop.ctx, created_to=date(2026, 3, 14))
        codes_csv = await exports.order_codes_csv(shop.ctx, order.id)

    def rows(content: bytes) -> list[dict[str, str]]:
        return list(csv.DictReader(content.decode("utf-8-sig").splitlines()))

    [row] = rows(orders_csv)
    assert row["created_date"] == "2026-03-15"
    assert rows(none) == []
    used = [
        r
        for r in csv.DictReader(codes_csv.decode("utf-8-sig").splitlines())
        if r["cert_request_date"]
    ]
    assert used[0]["created_date"] == "2026-03-15 08:30:00"
    assert used[0]["cert_request_date"] == "2026-03-15 08:30:00"
