"""A voucher-PDF background job run by a real ``shomei worker`` process.

The test process places a 60-code DigiCert voucher order against the sandbox, queues the job
as the console does, and plays the outbox relay (the ``job.queued`` handler sends the task).
The worker consumes the ``jobs`` queue; the test watches the job's row while it runs (progress
is committed per chunk of 25 codes) and reads the merged PDF back. The task is also sent twice
more, as a redelivered event and a sweep would: the job still runs once and has one result.
A console CSV export job runs in the same kind of worker (its runner loads the list's module
there). SQLite with the filesystem broker, and PostgreSQL with Redis.
"""

from __future__ import annotations

import asyncio
import time

from core.clock import FrozenClock, SystemClock
from core.context import tenant_scope
from core.jobs.service import create_job, get_job, job_file
from core.outbox_relay import deliver_pending
from core.plugins import build_plugin_manager
from plugins.digicert.voucher_pdfs import CHUNK, queue_voucher_pdf
from tests.conftest import make_settings
from tests.plugins.digicert.conftest import token_server, upstream  # noqa: F401  (fixtures)
from tests.plugins.digicert.shop import forget_account, make_shop
from tests.processes import eventually, shomei_env
from tests.tenants.helpers import staff_context
from tests.web.browser import START
from tests.web.console.world import make_tenant
from tests.workers.job_helpers import big_voucher_order, pdf_text
from workers.celery_app import create_celery
from workers.tasks.jobs import on_job_queued, send_job

REDIS_FOR_THESE_TESTS = "redis://127.0.0.1:6379/11"
"""Its own Redis database, so no other test's worker takes these tasks."""
CODES = 60


def _settings(tmp_path, database):
    extra = {"broker_url": REDIS_FOR_THESE_TESTS} if database.kind == "postgres" else {}
    return make_settings(tmp_path / "var", database, **extra)


def _celery(settings):
    app = create_celery(settings, build_plugin_manager(load_entrypoints=False), SystemClock())
    if not settings.broker_url.startswith("filesystem"):
        app.control.purge()
    return app


async def test_a_worker_renders_a_big_voucher_pdf_once_with_progress(
    tmp_path,
    database,
    upstream,  # noqa: F811
    processes,
):
    settings = _settings(tmp_path, database)
    app = _celery(settings)
    shop = await make_shop(settings, upstream.clock, upstream.api_url)
    try:
        order = await big_voucher_order(shop, upstream.api_url, CODES)
        with tenant_scope(shop.tenant):
            job = await queue_voucher_pdf(
                shop.ctx, order.codes, "ja", "vouchers.pdf", "orders.view"
            )
        assert (job.status, job.total) == ("queued", CODES)
        log = tmp_path / "worker.log"
        processes(["worker", "--hostname", "jobs@%h"], shomei_env(settings), log)
        with tenant_scope(shop.tenant):
            report = await deliver_pending(
                shop.tenant, {"job.queued": [on_job_queued]}, SystemClock()
            )
        assert len(report.delivered) >= 1 and not report.failed
        send_job(app, job.id, shop.tenant)  # the event delivered again
        seen: list[tuple[str, int]] = []
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            with tenant_scope(shop.tenant):
                now = await get_job(shop.ctx, job.id)
            if not seen or seen[-1] != (now.status, now.done):
                seen.append((now.status, now.done))
            if now.finished:
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError(f"the job did not finish: {seen}\n{log.read_text()[-3000:]}")
        assert now.status == "done", (now.error_id, log.read_text()[-3000:])
        assert ("running", CHUNK) in seen or ("running", 2 * CHUNK) in seen, seen
        send_job(app, job.id, shop.tenant)  # and once more after it finished
        await asyncio.sleep(3)
        with tenant_scope(shop.tenant):
            after = await get_job(shop.ctx, job.id)
            file = await job_file(shop.ctx, job.id)
        assert (after.status, after.attempts, after.done, after.total) == ("done", 1, 60, 60)
        assert after.finished_at == now.finished_at  # not written a second time
        assert file.content_type == "application/pdf" and file.filename == "vouchers.pdf"
        text = pdf_text(file.content, tmp_path)
        assert all(code.value in text for code in order.codes)
        assert text.count("\f") == CODES  # one page per code
    finally:
        await forget_account(shop)


async def test_a_worker_makes_a_console_csv_export(tmp_path, database, processes):
    settings = _settings(tmp_path, database)
    app = _celery(settings)
    clock = FrozenClock(START)
    tenant = await make_tenant(clock)
    shop = tenant.shop
    ctx = staff_context(shop.tenant, shop.owner_id, clock)
    with tenant_scope(shop.tenant):
        job = await create_job(
            ctx,
            "console.csv_export",
            params={
                "module": "web.console.transfers",
                "spec": "unmatched-transfers",
                "query": {"q": "ﾃｽﾄ"},
                "language": "en",
                "filename": "unmatched.csv",
            },
        )
    log = tmp_path / "worker.log"
    processes(["worker", "--hostname", "csv@%h"], shomei_env(settings), log)
    send_job(app, job.id, shop.tenant)

    async def finished():
        with tenant_scope(shop.tenant):
            found = await get_job(ctx, job.id)
        return found if found.finished else None

    done = await eventually(finished, 90, "the CSV job to finish", log)
    assert done.status == "done", (done.error_id, done.error_params)
    with tenant_scope(shop.tenant):
        file = await job_file(ctx, job.id)
    text = file.content.decode("utf-8-sig")
    assert text.startswith("Line,Value date,Payer name") and "ﾃｽﾄ ﾀﾛｳ" in text
    assert (done.done, done.total) == (1, 1)
