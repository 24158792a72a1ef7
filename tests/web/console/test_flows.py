"""Forms of the console posted like a browser: voiding an invoice with a reason, importing a
Zengin file and assigning an unmatched transfer by hand; and the documents (PDF, CSV)."""

from __future__ import annotations

import csv
import io

from core.context import tenant_scope
from core.orders.states import OrderState
from core.orders.views import get_order
from core.payments.transfers import issue_transfer_instructions
from tests.core.payments.helpers import BANK_ACCOUNT, new_order
from tests.plugins.bank_transfer.builder import Transfer, notice_file
from tests.tenants.helpers import staff_context
from tests.web.browser import browser, csrf_of
from tests.web.console.world import Sessions


def _csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content[3:].decode("utf-8"))))


async def test_void_needs_a_reason_then_voids_and_the_list_and_csv_say_so(app, tenants):
    a, _ = tenants
    invoice = f"/console/invoices/{a.ids['invoice_id']}"
    async with browser(app, a.host) as client:
        sessions = Sessions(client)
        support = await sessions.as_staff(a, "support")
        shown = await support.get(invoice, params={"lang": "en"})
        assert 'action="' + invoice + '/void"' not in shown.text  # may not void
        refused = await support.post(f"{invoice}/void", data={"csrf_token": csrf_of(shown.text)})
        assert refused.status_code == 403
        finance = await sessions.as_staff(a, "finance")
        shown = await finance.get(invoice, params={"lang": "en"})
        token = csrf_of(shown.text)
        no_csrf = await finance.post(f"{invoice}/void", data={"reason": "x"})
        assert no_csrf.status_code == 403
        empty = await finance.post(
            f"{invoice}/void", data={"csrf_token": token, "reason": "  "}, params={"lang": "en"}
        )
        assert empty.status_code == 422
        assert "Give the reason for voiding the invoice." in empty.text
        assert 'aria-invalid="true" aria-describedby="reason-error"' in empty.text
        too_long = await finance.post(
            f"{invoice}/void", data={"csrf_token": token, "reason": "長" * 501}
        )
        assert too_long.status_code == 422 and "長" * 501 in too_long.text  # input kept
        asked = await finance.post(
            f"{invoice}/void", data={"csrf_token": token, "reason": "宛名の誤り"},
            params={"lang": "ja"},
        )  # fmt: skip
        assert asked.status_code == 409  # not done: the confirmation page asks first
        assert f"請求書 {a.invoice_number} を無効にします" in asked.text
        assert 'name="confirm" value="yes"' in asked.text and "宛名の誤り" in asked.text
        still = await finance.get("/console/invoices?export=csv&status=open")
        assert len(_csv(still.content)) == 2  # still open
        done = await finance.post(
            f"{invoice}/void",
            data={"csrf_token": csrf_of(asked.text), "reason": "宛名の誤り", "confirm": "yes"},
        )
        assert done.status_code == 303
        assert done.headers["location"] == f"{invoice}?notice=invoice_voided"
        after = (await finance.get(done.headers["location"] + "&lang=ja")).text
        assert "請求書を無効にしました。" in after and "宛名の誤り" in after
        assert 'action="' + invoice + '/void"' not in after  # nothing more to void
        again = await finance.post(f"{invoice}/void", data={"csrf_token": token, "reason": "再度"})
        assert again.status_code == 422 and "already void" in (
            await finance.post(
                f"{invoice}/void", data={"csrf_token": token, "reason": "再度"},
                params={"lang": "en"},
            )
        ).text  # fmt: skip
        rows = _csv((await finance.get("/console/invoices?export=csv&status=void&lang=ja")).content)
        assert rows[0][0] == "請求書番号"
        assert [row[0] for row in rows[1:]] == [a.invoice_number]
        assert rows[1][5] == "無効" and rows[1][6] == "36300"
        assert (
            len(_csv((await finance.get("/console/invoices?export=csv&status=open")).content)) == 1
        )


async def test_zengin_import_summary_unmatched_queue_and_manual_resolution(app, tenants, clock):
    a, _ = tenants
    ctx = staff_context(a.shop.tenant, a.shop.owner_id, clock)
    with tenant_scope(a.shop.tenant):
        expectation = await issue_transfer_instructions(ctx, a.ids["order_id"], BANK_ACCOUNT)
        spare = await new_order(ctx, base=20_000, customer_id=a.ids["customer_id"])
    data = notice_file(
        [
            Transfer(36_300, f"{expectation.payer_reference} ｵｷﾔｸｻﾏ", inquiry=1),
            Transfer(22_000, "ﾀﾞﾚｶ ｼﾗﾅｲ", inquiry=2),
        ]
    )
    async with browser(app, a.host) as client:
        finance = await Sessions(client).as_staff(a, "finance")
        page = await finance.get("/console/transfers?lang=en")
        token = csrf_of(page.text)
        missing = await finance.post(
            "/console/transfers/import", data={"csrf_token": token}, files={"x": ("x", b"")}
        )
        assert missing.status_code == 422 and "Please attach a Zengin file." in missing.text
        broken = await finance.post(
            "/console/transfers/import",
            data={"csrf_token": token},
            files={"file": ("bad.txt", b"not a zengin file")},
        )
        assert broken.status_code == 422 and "The Zengin file was refused" in broken.text
        imported = await finance.post(
            "/console/transfers/import",
            data={"csrf_token": token},
            files={"file": ("notice.txt", data)},
        )
        assert imported.status_code == 200, imported.text
        assert '<dd id="result-matched">1</dd>' in imported.text
        assert '<dd id="result-unmatched">1</dd>' in imported.text
        assert "Transfer notice" in imported.text and "¥36,300" in imported.text
        again = await finance.post(
            "/console/transfers/import",
            data={"csrf_token": token},
            files={"file": ("notice.txt", data)},
        )
        assert "This file was imported before; nothing was changed." in again.text
        with tenant_scope(a.shop.tenant):
            assert (await get_order(ctx, a.ids["order_id"])).state is OrderState.PAID
        queue = (await finance.get("/console/transfers?lang=en&q=ｼﾗﾅｲ")).text
        assert "ﾀﾞﾚｶ ｼﾗﾅｲ" in queue and "ﾃｽﾄ ﾀﾛｳ" not in queue
        rows = _csv((await finance.get("/console/transfers?export=csv")).content)
        assert sorted(row[3] for row in rows[1:]) == ["22000", "99999"]
        line_id = a.ids["line_id"]
        line = f"/console/transfers/lines/{line_id}"
        token = csrf_of((await finance.get(line)).text)
        wrong = await finance.post(
            f"{line}/resolve", data={"csrf_token": token, "order_id": "99999999"},
            params={"lang": "en"},
        )  # fmt: skip
        assert wrong.status_code == 422
        assert "There is no order with this number." in wrong.text
        assert 'value="99999999"' in wrong.text  # input kept
        huge = await finance.post(
            f"{line}/resolve", data={"csrf_token": token, "order_id": "9" * 15},
            params={"lang": "en"},
        )  # fmt: skip
        assert huge.status_code == 422 and "Enter the order number (digits)." in huge.text
        paid = await finance.post(
            f"{line}/resolve", data={"csrf_token": token, "order_id": str(a.ids["order_id"])},
            params={"lang": "en"},
        )  # fmt: skip
        assert paid.status_code == 422
        assert "Only an order awaiting payment can receive this transfer." in paid.text
        done = await finance.post(
            f"{line}/resolve", data={"csrf_token": token, "order_id": str(spare.id)}
        )
        assert done.status_code == 303
        shown = (await finance.get(done.headers["location"] + "&lang=ja")).text
        assert "入金を注文に割り当てました。" in shown and "手動で割当済" in shown
        queue = (await finance.get("/console/transfers?lang=en")).text
        assert f'href="{line}"' not in queue
        with tenant_scope(a.shop.tenant):
            assert (await get_order(ctx, spare.id)).state is OrderState.PAID  # 99,999 ≥ 22,000


async def test_quote_and_invoice_pdfs(app, tenants):
    a, _ = tenants
    async with browser(app, a.host) as client:
        page = await Sessions(client).as_staff(a, "read_only")
        for path, name in (
            (f"/console/quotes/{a.ids['quote_id']}/pdf", f"Q-{a.ids['quote_id']:06d}.pdf"),
            (f"/console/invoices/{a.ids['invoice_id']}/pdf", f"{a.invoice_number}.pdf"),
        ):
            pdf = await page.get(path)
            assert pdf.status_code == 200, pdf.text[:300]
            assert pdf.headers["content-type"] == "application/pdf"
            assert pdf.content.startswith(b"%PDF")
            assert f'filename="{name}"' in pdf.headers["content-disposition"]


async def test_customer_and_audit_csv(app, tenants):
    a, _ = tenants
    async with browser(app, a.host) as client:
        page = await Sessions(client).as_staff(a, "admin")
        rows = _csv((await page.get("/console/customers?export=csv&lang=en")).content)
        assert rows[0][:2] == ["Customer ID", "Company"]
        assert rows[1][:4] == [str(a.ids["customer_id"]), "お客様株式会社", "100-0005", "東京都"]
        audit = _csv((await page.get("/console/audit?export=csv&action=contact_set")).content)
        assert [row[2] for row in audit[1:]] == ["customer.contact_set"]
        assert '"role": "billing"' in audit[1][5]
