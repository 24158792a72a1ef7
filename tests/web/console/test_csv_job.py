"""A console list's CSV export of more than ``CSV_JOB_ABOVE`` rows is a background job: the
export link redirects to the job's progress page; the job (run here in-process, as the worker's
task runs it) reads the rows in chunks, committing its progress, and its file is the same CSV
the request would have made (BOM, translated headers, every row). Only the member who asked
sees it; another tenant's staff get 404. A smaller export stays immediate (test_listing.py)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

from core.context import tenant_scope
from core.jobs.running import run_job
from core.jobs.service import get_job
from core.payments.tables import BankFile, BankLine
from core.plugins import Registry, build_plugin_manager, collect_mapping
from tests.tenants.helpers import staff_context
from tests.web.browser import browser
from tests.web.console.world import Sessions
from web.console.listing import CSV_CHUNK, CSV_JOB_ABOVE

EXTRA = CSV_JOB_ABOVE + 1


async def _many_unmatched_lines(shop, clock) -> None:
    with tenant_scope(shop.tenant):
        bank_file = BankFile(
            tenant_id=shop.tenant.id, fingerprint=f"bulk-{shop.tenant.id}", kind="deposit_notice",
            line_count=EXTRA, new_lines=EXTRA, imported_at=clock.now(),
        )  # fmt: skip
        await bank_file.save()
        for start in range(0, EXTRA, 500):
            await BankLine.insert(
                *(
                    BankLine(
                        tenant_id=shop.tenant.id,
                        file_id=bank_file.id,
                        fingerprint=f"bulk-{shop.tenant.id}-{n}",
                        record_number=n + 2,
                        account_date=date(2026, 11, 1),
                        amount=1_000 + n,
                        payer_name=f"ﾀﾞﾚｶ {n}",
                        status="unmatched",
                        reason="no_reference",
                        order_ids=[],
                    )
                    for n in range(start, min(start + 500, EXTRA))
                )
            )


async def test_a_big_csv_export_is_made_by_a_job(app, tenants, clock):
    a, b = tenants
    await _many_unmatched_lines(a.shop, clock)
    with tenant_scope(a.shop.tenant):
        queued = await BankLine.count().where(
            (BankLine.tenant_id == a.shop.tenant.id)
            & BankLine.status.is_in(["unmatched", "cancellation"])
        )
    async with browser(app, a.host) as client:
        sessions = Sessions(client)
        finance = await sessions.as_staff(a, "finance")
        asked = await finance.get("/console/transfers?export=csv&sort=amount&lang=en")
        assert asked.status_code == 303, asked.text[:300]
        job_path = asked.headers["location"]
        job_id = int(re.fullmatch(r"/console/jobs/(\d+)", job_path).group(1))
        waiting = await finance.get(f"{job_path}?lang=en")
        assert "CSV export" in waiting.text and f"0 of {queued}" in waiting.text

        pm = build_plugin_manager(load_entrypoints=False)
        seen: list[int] = []
        runners = collect_mapping(pm, "register_job_runners")
        csv_runner = runners["console.csv_export"]

        async def watching(run):  # the real runner, with a look at the row after each commit
            progress = run.progress

            async def progress_and_look(done, total=None):
                await progress(done, total)
                seen.append((await get_job(run.ctx, run.job.id)).done)

            run.progress = progress_and_look
            return await csv_runner(run)

        with tenant_scope(a.shop.tenant):
            ctx = staff_context(a.shop.tenant, a.shop.owner_id, clock)
            status = await run_job(
                ctx, job_id, {**runners, "console.csv_export": watching}, claim="in-process",
                lease_seconds=600, registry=Registry(pm),
            )  # fmt: skip
        assert status == "done"
        assert seen[:3] == [0, CSV_CHUNK, 2 * CSV_CHUNK] and seen[-1] == queued

        done = await finance.get(f"{job_path}?lang=ja")
        assert "完了しました" in done.text and "/download" in done.text
        assert 'href="/console/transfers?sort=amount&amp;lang=en"' in done.text
        file = await finance.get(f"{job_path}/download")
        assert file.status_code == 200 and file.headers["content-type"].startswith("text/csv")
        assert re.search(
            r'filename="unmatched-transfers-\d{8}\.csv"', file.headers["content-disposition"]
        )
        assert file.content.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(file.content[3:].decode("utf-8"))))
        assert rows[0][:3] == ["Line", "Value date", "Payer name"]  # the page's language
        assert len(rows) == queued + 1
        amounts = [int(row[3]) for row in rows[1:]]
        assert amounts == sorted(amounts)  # the list's sort

        other_finance = await sessions.as_staff(a, "owner")  # not the one who asked
        assert (await other_finance.get(job_path)).status_code == 403
        intruder = await sessions.as_staff(b, "owner")
        for path in (job_path, f"{job_path}/download"):
            assert (await intruder.get(path)).status_code == 404, path
