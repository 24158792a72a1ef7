"""A big voucher PDF from the console is a background job with a progress page.

More than 50 codes: the PDF link queues a job and redirects to ``/console/jobs/{id}``, which
shows a ``<progress>`` bar and reloads itself until the job is done, then offers the download
(a valid PDF with every code). Reloading the link while the job runs shows the same job.
Another tenant's staff get the console's 404 page for the job and its download. The page is
checked in Japanese and English, queued, done and failed. The job is run here in-process, as
the worker's task runs it (``tests/workers/test_jobs_worker.py`` runs it in a real worker).
"""

from __future__ import annotations

import re

import pytest

from core.context import tenant_scope
from core.jobs.running import run_job
from core.jobs.service import create_job
from core.plugins import Registry, build_plugin_manager, collect_mapping
from tests.plugins.digicert.shop import forget_account, make_shop
from tests.tenants.helpers import staff_context
from tests.web.browser import browser, browser_settings, make_app
from tests.web.console_settings.people import Sessions, make_team
from tests.workers.job_helpers import big_voucher_order, pdf_text

CODES = 60
REFRESH = re.compile(r'<meta http-equiv="refresh" content="\d+">')


@pytest.fixture
def settings(tmp_path, database):
    return browser_settings(tmp_path, database)


@pytest.fixture
def app(settings, upstream):
    return make_app(settings, clock=upstream.clock)


@pytest.fixture
async def teams(settings, upstream):
    shops = [await make_shop(settings, upstream.clock, upstream.api_url) for _ in range(2)]
    made = [await make_team(s.tenant, s.owner_id, upstream.clock) for s in shops]
    yield shops, made
    for shop in shops:
        await forget_account(shop)


async def _run(shop, job_id: int) -> str:
    pm = build_plugin_manager(load_entrypoints=False)
    with tenant_scope(shop.tenant):
        return await run_job(
            shop.ctx,
            job_id,
            collect_mapping(pm, "register_job_runners"),
            claim="in-process",
            lease_seconds=600,
            registry=Registry(pm),
        )


async def test_a_big_voucher_pdf_goes_through_a_progress_page(app, teams, upstream, tmp_path):
    (shop, _), (a, b) = teams
    order = await big_voucher_order(shop, upstream.api_url, CODES)
    async with browser(app, a.host) as client:
        sessions = Sessions(client)
        me = await sessions.as_(a, "read_only")  # seeing orders is enough
        asked = await me.get(f"/console/vouchers/{order.id}/pdf?lang=ja")
        assert asked.status_code == 303
        job_path = asked.headers["location"]
        assert re.fullmatch(r"/console/jobs/\d+", job_path)
        again = await me.get(f"/console/vouchers/{order.id}/pdf")  # reload, or back and forth
        assert again.headers["location"] == job_path

        queued = await me.get(f"{job_path}?lang=ja")
        assert queued.status_code == 200 and '<html lang="ja">' in queued.text
        assert REFRESH.search(queued.text) and "順番待ち" in queued.text
        assert "<progress" in queued.text and f"{CODES}件中0件" in queued.text
        assert "/download" not in queued.text
        early = await me.get(f"{job_path}/download")
        assert (early.status_code, early.headers["location"]) == (303, job_path)

        assert await _run(shop, int(job_path.rsplit("/", 1)[1])) == "done"
        for lang, words in (("ja", ("完了しました", f"{CODES}件中{CODES}件", "ダウンロード")),
                            ("en", ("Done", f"{CODES} of {CODES}", "Download"))):  # fmt: skip
            done = await me.get(f"{job_path}?lang={lang}")
            assert done.status_code == 200 and f'<html lang="{lang}">' in done.text
            assert not REFRESH.search(done.text), lang
            assert all(word in done.text for word in words), lang
            assert (
                'value="100"' in done.text and f'href="/console/vouchers/{order.id}"' in done.text
            )
        file = await me.get(f"{job_path}/download")
        assert file.status_code == 200 and file.content.startswith(b"%PDF")
        assert file.headers["content-type"] == "application/pdf"
        assert f"vouchers-{order.upstream_id}-ja.pdf" in file.headers["content-disposition"]
        text = pdf_text(file.content, tmp_path)
        assert all(code.value in text for code in order.codes) and "バウチャーコード" in text
        assert text.count("\f") == CODES

        fresh = await me.get(f"/console/vouchers/{order.id}/pdf")  # done: a new job
        assert fresh.headers["location"] != job_path

        intruder = await sessions.as_(b, "owner")
        for path in (job_path, f"{job_path}/download"):
            assert (await intruder.get(path)).status_code == 404, path


async def test_a_failed_job_says_why_in_both_languages(app, teams, upstream):
    (shop, _), (a, _) = teams
    with tenant_scope(shop.tenant):
        ctx = staff_context(shop.tenant, shop.owner_id, upstream.clock)
        job = await create_job(ctx, "no.such.kind", permission="orders.view")
    assert await _run(shop, job.id) == "failed"
    async with browser(app, a.host) as client:
        me = await Sessions(client).as_(a, "owner")
        for lang, words in (("ja", ("失敗しました", "実行できるワーカーがありません")),
                            ("en", ("Failed", "No worker can run this kind of job"))):  # fmt: skip
            page = await me.get(f"/console/jobs/{job.id}?lang={lang}")
            assert page.status_code == 200 and not REFRESH.search(page.text)
            assert 'role="alert"' in page.text and "no.such.kind" in page.text
            assert all(word in page.text for word in words), lang
            assert "[" + "jobs.kind" not in page.text  # an unknown kind gets the plain title
        assert (await me.get(f"/console/jobs/{job.id}/download")).status_code == 303
        assert (await me.get(f"/console/jobs/{job.id + 100000}")).status_code == 404
