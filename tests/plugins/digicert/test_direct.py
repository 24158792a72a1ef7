"""Direct purchase (a certificate without a voucher) against the sandbox, on both databases."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from core.billing.invoices import get_invoice
from core.context import tenant_scope
from core.errors import ValidationFailed
from plugins.digicert import redemption
from plugins.digicert.contracts import get_contract
from plugins.digicert.direct import DirectOrderIn, buy_certificate, get_direct_order
from tests.csr_helpers import make_csr
from tests.plugins.digicert.helpers import refusal
from tests.plugins.digicert.test_certificates import csr_sans, sans

NAMES = ("www.direct.test", "direct.test", "*.img.direct.test")


def direct(csr: str, **changes: object) -> DirectOrderIn:
    plain: dict[str, object] = {
        "product": "ssl_basic",
        "years": 1,
        "csr": csr,
        "organization_name": "株式会社ダイレクト",
        "payment_method": "bank_transfer",
    }
    plain.update(changes)
    return DirectOrderIn(**plain)  # type: ignore[arg-type]


async def test_bank_transfer_purchase_invoiced_issued_and_cancelled(shop, client, upstream):
    csr = make_csr(NAMES[0], NAMES)
    ctx = shop.ctx.with_key("direct-1")
    with tenant_scope(shop.tenant):
        order = await buy_certificate(ctx, client, direct(csr, dcv_method="email"))
        assert order.status == "completed"
        assert (order.no_of_fqdns, order.no_of_wildcards) == (2, 1)
        assert order.total == 17_600 + 26_400 + 93_120  # base + one more FQDN + one wildcard
        invoice = await get_invoice(shop.ctx, order.invoice_id)
        assert (invoice.status, invoice.payment_term) == ("open", "NET30EOM")
        assert invoice.due_date == date(2026, 4, 30)
        assert invoice.subtotal == order.total
        assert invoice.reference_number == str(order.certificate.upstream_order_id)

        again = await buy_certificate(ctx, client, direct(csr, dcv_method="email"))
        assert (again.id, again.invoice_id) == (order.id, order.invoice_id)
        with pytest.raises(ValidationFailed) as reused:
            await buy_certificate(ctx, client, direct(csr, years=2, dcv_method="email"))
        refusal(reused.value, "idempotency_key", "digicert.voucher_order.key_reused")

        approvals = (await http_get(f"{upstream.url}/sandbox/emails"))["emails"]
        assert {m["to"] for m in approvals} == {f"admin@{n.removeprefix('*.')}" for n in NAMES}
        for mail in approvals:
            await http_get(mail["approve_url"], json=False)
        issued = await redemption.poll(shop.ctx, client, order.certificate.id)
    assert issued.status == "issued"
    assert sorted(sans(issued.pem_chain)) == sorted(csr_sans(csr))
    assert len(await client.list_certificate_orders()) == 1


async def http_get(url: str, json: bool = True) -> Any:
    async with httpx.AsyncClient() as http:
        answer = await http.get(url)
    assert answer.status_code == 200, answer.text
    return answer.json() if json else answer.text


async def test_issued_direct_purchase_cancel_day_29_voids_and_day_31_refused(
    shop, client, upstream
):
    names = ("www.direct.test", "direct.test")
    with tenant_scope(shop.tenant):
        first = await buy_certificate(
            shop.ctx.with_key("direct-a"), client, direct(make_csr(names[0], names))
        )
        second = await buy_certificate(
            shop.ctx.with_key("direct-b"), client, direct(make_csr(names[0], names))
        )
        for name in names:
            upstream.tokens.serve_token(name, first.certificate.dcv_random_value)
        issued = await redemption.poll(shop.ctx, client, first.certificate.id)
        assert issued.status == "issued" and issued.code_id is None
        for name in names:
            upstream.tokens.serve_token(name, second.certificate.dcv_random_value)
        assert (await redemption.poll(shop.ctx, client, second.certificate.id)).status == "issued"

        upstream.clock.advance(timedelta(days=29))
        cancelled = await redemption.cancel_certificate(shop.ctx, client, first.certificate.id)
        assert cancelled.status == "cancelled"
        assert (await get_invoice(shop.ctx, first.invoice_id)).status == "void"
        assert (await get_direct_order(shop.ctx, first.id)).status == "cancelled"
        upstream.clock.advance(timedelta(days=2))
        with pytest.raises(ValidationFailed) as late:
            await redemption.cancel_certificate(shop.ctx, client, second.certificate.id)
        texts = refusal(late.value, "certificate", "digicert.cancel_certificate.after_30_days")
        assert "30" in texts["ja"] and "within 30 days" in texts["en"]
        assert (await get_invoice(shop.ctx, second.invoice_id)).status == "open"


async def test_balance_purchase_is_charged_without_an_invoice(shop, client):
    csr = make_csr("www.direct.test", ("www.direct.test",))
    with tenant_scope(shop.tenant):
        order = await buy_certificate(
            shop.ctx.with_key("direct-balance"), client, direct(csr, payment_method="balance")
        )
        contract = await get_contract(shop.ctx)
    assert order.invoice_id is None and order.total == 17_600
    assert contract.account_balance == -17_600


async def test_refusals_name_their_field(shop, client):
    good = make_csr("www.direct.test", ("www.direct.test",))
    cases = [
        (direct(good, payment_method="cash"), "payment_method",
         "digicert.voucher_order.payment_method_invalid"),
        (direct(good, dcv_method="dns"), "dcv_method", "digicert.redeem.dcv_method_invalid"),
        (direct(good, organization_name=" "), "organization_name",
         "digicert.redeem.organization_required"),
        (direct(good, years=7), "years", "digicert.line.years_out_of_range"),
        (direct(good, product="nope"), "product", "digicert.line.product_unknown"),
        (direct(make_csr("www.direct.test", ("www.direct.test", "10.0.0.1"))), "csr",
         "csr.name_not_dns"),
        (direct(make_csr("server.internal", ("server.internal",))), "csr",
         "csr.internal_name"),
    ]  # fmt: skip
    with tenant_scope(shop.tenant):
        for n, (request, field, message_id) in enumerate(cases):
            with pytest.raises(ValidationFailed) as refused:
                await buy_certificate(shop.ctx.with_key(f"bad-{n}"), client, request)
            refusal(refused.value, field, message_id)
    assert await client.list_certificate_orders() == []
