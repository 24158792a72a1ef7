"""A big Zengin file is imported by a background job: the upload redirects to the job's
progress page, the job (run here in-process, as the worker's task runs it) imports the file
as the finance member who uploaded it, and the result panel shows the matched and unmatched
counts as an immediate import does. Another tenant's staff get 404 for the job and its result.
A small file is still imported inside the request (``test_flows.py``)."""

from __future__ import annotations

import re

from core.context import tenant_scope
from core.jobs.running import run_job
from core.orders.states import OrderState
from core.orders.views import get_order
from core.payments.tables import BankFile
from core.payments.transfers import issue_transfer_instructions
from core.plugins import Registry, build_plugin_manager, collect_mapping
from tenants.tables import StaffUser
from tests.core.payments.helpers import BANK_ACCOUNT
from tests.plugins.bank_transfer.builder import Transfer, notice_file
from tests.tenants.helpers import staff_context
from tests.web.browser import browser, csrf_of
from tests.web.console.world import Sessions
from web.console.transfer_jobs import JOB_ABOVE_BYTES

STRANGERS = 220


async def test_a_big_zengin_file_is_imported_by_a_job_with_the_same_result_panel(
    app, tenants, clock
):
    a, b = tenants
    ctx = staff_context(a.shop.tenant, a.shop.owner_id, clock)
    with tenant_scope(a.shop.tenant):
        expectation = await issue_transfer_instructions(ctx, a.ids["order_id"], BANK_ACCOUNT)
    data = notice_file(
        [Transfer(36_300, f"{expectation.payer_reference} ｵｷﾔｸｻﾏ", inquiry=1)]
        + [Transfer(1_000 + n, "ﾀﾞﾚｶ ｼﾗﾅｲ", inquiry=2 + n) for n in range(STRANGERS)]
    )
    assert len(data) > JOB_ABOVE_BYTES
    async with browser(app, a.host) as client:
        sessions = Sessions(client)
        finance = await sessions.as_staff(a, "finance")
        token = csrf_of((await finance.get("/console/transfers")).text)
        uploaded = await finance.post(
            "/console/transfers/import",
            data={"csrf_token": token},
            files={"file": ("notice.txt", data)},
        )
        assert uploaded.status_code == 303, uploaded.text
        job_path = uploaded.headers["location"]
        job_id = int(re.fullmatch(r"/console/jobs/(\d+)", job_path).group(1))
        waiting = await finance.get(f"{job_path}?lang=ja")
        assert "全銀ファイルの取込" in waiting.text and "<progress" in waiting.text
        assert 'http-equiv="refresh"' in waiting.text
        with tenant_scope(a.shop.tenant):
            assert (await get_order(ctx, a.ids["order_id"])).state is OrderState.AWAITING_PAYMENT

        pm = build_plugin_manager(load_entrypoints=False)
        with tenant_scope(a.shop.tenant):
            status = await run_job(
                staff_context(a.shop.tenant, a.shop.owner_id, clock).with_key("job"),
                job_id,
                collect_mapping(pm, "register_job_runners"),
                claim="in-process",
                lease_seconds=600,
                registry=Registry(pm),
            )
            assert status == "done"
            assert (await get_order(ctx, a.ids["order_id"])).state is OrderState.PAID
            imported = await (
                BankFile.select(BankFile.imported_by, BankFile.line_count)
                .where(BankFile.tenant_id == a.shop.tenant.id)
                .order_by(BankFile.id, ascending=False)
                .first()
            )
            finance_id = await StaffUser.select(StaffUser.id).where(
                StaffUser.email == a.staff["finance"]
            )
        assert imported == {
            "imported_by": f"staff:{finance_id[0]['id']}",  # the uploader, not the worker
            "line_count": STRANGERS + 1,
        }

        done = await finance.get(f"{job_path}?lang=en")
        assert "Done" in done.text and 'http-equiv="refresh"' not in done.text
        result_url = f"/console/transfers?job={job_id}"
        assert f'href="{result_url}"' in done.text
        shown = await finance.get(f"{result_url}&lang=en")
        assert shown.status_code == 200
        assert '<dd id="result-matched">1</dd>' in shown.text
        assert f'<dd id="result-unmatched">{STRANGERS}</dd>' in shown.text
        assert "Transfer notice" in shown.text and "¥36,300" in shown.text

        support = await sessions.as_staff(a, "support")  # may not manage payments
        assert (await support.get(job_path)).status_code == 403
        intruder = await sessions.as_staff(b, "owner")
        for path in (job_path, result_url):
            assert (await intruder.get(path)).status_code == 404, path
