"""The background-job lifecycle of ``core.jobs``: progress committed as it goes, one result
however often a job is run, other tenants see nothing, and the hook that registers runners."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from core.clock import FrozenClock
from core.context import Actor, ActorKind, Context, TenantRef
from core.errors import NotFound
from core.hookspecs import hookimpl
from core.jobs.running import (
    MAX_ATTEMPTS,
    JobFailed,
    JobLost,
    JobOutput,
    JobRun,
    run_job,
    stale_jobs,
)
from core.jobs.service import create_job, get_job, job_file
from core.plugins import build_plugin_manager, collect_mapping
from core.tables import OutboxEvent

LEASE = 60


def _ctx(tenant_id: int, clock: FrozenClock) -> Context:
    actor = Actor(ActorKind.STAFF, "7", "Staff")
    return Context(TenantRef(id=tenant_id, slug=f"j{tenant_id}"), actor, clock)


@pytest.fixture
def clock():
    return FrozenClock(datetime(2026, 11, 22, 12, 0, tzinfo=UTC))


class Pages:
    """A runner that 'renders' ``total`` pages in chunks of 25, recording what it saw."""

    def __init__(self, total: int = 60, fail_at: int | None = None) -> None:
        self.total = total
        self.fail_at = fail_at
        self.calls = 0
        self.seen: list[tuple[str, int, int]] = []

    async def __call__(self, run: JobRun) -> JobOutput:
        self.calls += 1
        self.actor = run.ctx.actor  # the job's creator, not the worker's system actor
        await run.progress(0, total=self.total)
        for done in range(25, self.total + 25, 25):
            done = min(done, self.total)
            if self.fail_at is not None and done > self.fail_at:
                raise RuntimeError("the renderer crashed")
            await run.progress(done)
            stored = await get_job(run.ctx, run.job.id)  # a query of its own: committed
            self.seen.append((stored.status, stored.done, stored.total))
        return JobOutput(b"%PDF-" + bytes(self.total), "pages.pdf", "application/pdf", {"n": 1})


async def test_progress_is_committed_per_chunk_and_the_result_is_stored_once(database, clock):
    ctx = _ctx(9301, clock)
    job = await create_job(ctx, "test.pages", permission="orders.view", params={"x": 1})
    assert (job.status, job.done, job.created_by) == ("queued", 0, "staff:7")
    assert job.created_at == clock.now()
    events = await OutboxEvent.select().where(OutboxEvent.tenant_id == 9301).run()
    assert [(e["event_type"], e["aggregate_id"]) for e in events] == [("job.queued", str(job.id))]
    pages = Pages(60)
    system = Context(ctx.tenant, Actor.system("jobs"), clock)  # as the worker's task calls it
    status = await run_job(
        system, job.id, {"test.pages": pages}, claim="task-1", lease_seconds=LEASE
    )
    assert status == "done"
    assert pages.seen == [("running", 25, 60), ("running", 50, 60), ("running", 60, 60)]
    assert (pages.actor.kind.value, pages.actor.id, pages.actor.display_name) == (
        "staff", "7", "Staff",
    )  # fmt: skip
    done = await get_job(ctx, job.id)
    assert (done.status, done.done, done.total, done.percent) == ("done", 60, 60, 100)
    assert done.summary == {"n": 1} and done.finished_at == clock.now()
    file = await job_file(ctx, job.id)
    assert file.content == b"%PDF-" + bytes(60) and file.filename == "pages.pdf"

    for claim in ("task-1", "task-2"):  # redelivered, or sent again by the sweep
        again = await run_job(ctx, job.id, {"test.pages": pages}, claim=claim, lease_seconds=LEASE)
        assert again == "finished"
    assert pages.calls == 1


async def test_a_retried_job_restarts_under_its_claim_and_makes_one_result(database, clock):
    ctx = _ctx(9302, clock)
    job = await create_job(ctx, "test.pages")
    crashing = Pages(100, fail_at=50)
    runners = {"test.pages": crashing}
    with pytest.raises(RuntimeError):
        await run_job(ctx, job.id, runners, claim="t1", lease_seconds=LEASE, last_attempt=False)
    halfway = await get_job(ctx, job.id)
    assert (halfway.status, halfway.done, halfway.attempts) == ("running", 50, 1)
    # another task while the first one's lease runs: busy, nothing done
    assert await run_job(ctx, job.id, runners, claim="t2", lease_seconds=LEASE) == "busy"
    crashing.fail_at = None  # the retry (same task id) starts again from the first page
    assert await run_job(ctx, job.id, runners, claim="t1", lease_seconds=LEASE) == "done"
    finished = await get_job(ctx, job.id)
    assert (finished.status, finished.done, finished.attempts) == ("done", 100, 2)
    assert crashing.seen[-1] == ("running", 100, 100)


async def test_a_task_whose_lease_ran_out_loses_the_job_to_the_next(database, clock):
    ctx = _ctx(9303, clock)
    job = await create_job(ctx, "test.pages")
    slow_claim: list[JobRun] = []

    async def stalls(run: JobRun) -> JobOutput:
        slow_claim.append(run)
        await run.progress(10, total=20)
        clock.advance(timedelta(seconds=LEASE + 1))  # the worker hangs past its lease
        fast = await run_job(
            ctx, run.job.id, {"test.pages": Pages(20)}, claim="t2", lease_seconds=LEASE
        )
        assert fast == "done"
        with pytest.raises(JobLost):
            await run.progress(20)
        return JobOutput(b"late", "late.pdf", "application/pdf")

    assert await run_job(ctx, job.id, {"test.pages": stalls}, claim="t1", lease_seconds=LEASE) in (
        "lost",
    )
    assert (await job_file(ctx, job.id)).filename == "pages.pdf"


async def test_failures_are_recorded_with_a_message_staff_can_read(database, clock):
    ctx = _ctx(9304, clock)

    async def refuses(run: JobRun) -> JobOutput:
        raise JobFailed("payments.bank_file.refused", check="header", record=1, problem="x")

    async def crashes(run: JobRun) -> JobOutput:
        raise ValueError("boom")

    runners = {"refuses": refuses, "crashes": crashes}
    for kind, message_id in (
        ("refuses", "payments.bank_file.refused"),
        ("crashes", "jobs.error.unexpected"),
        ("nobody", "jobs.error.unknown_kind"),
    ):
        job = await create_job(ctx, kind)
        assert await run_job(ctx, job.id, runners, claim="t", lease_seconds=LEASE) == "failed"
        failed = await get_job(ctx, job.id)
        assert (failed.status, failed.error_id) == ("failed", message_id), kind
        with pytest.raises(NotFound):
            await job_file(ctx, job.id)
    assert failed.error_params == {"kind": "nobody"}


async def test_another_tenant_sees_and_runs_nothing(database, clock):
    mine, other = _ctx(9305, clock), _ctx(9306, clock)
    job = await create_job(mine, "test.pages")
    pages = Pages(25)
    assert await run_job(other, job.id, {"test.pages": pages}, claim="x", lease_seconds=LEASE) == (
        "not_found"
    )
    assert pages.calls == 0 and (await get_job(mine, job.id)).status == "queued"
    await run_job(mine, job.id, {"test.pages": pages}, claim="y", lease_seconds=LEASE)
    with pytest.raises(NotFound):
        await get_job(other, job.id)
    with pytest.raises(NotFound):
        await job_file(other, job.id)
    assert (await job_file(mine, job.id)).filename == "pages.pdf"


async def test_the_same_work_while_queued_or_running_is_one_job(database, clock):
    ctx = _ctx(9307, clock)
    first = await create_job(ctx, "test.pages", dedupe_key="order-1:ja")
    assert (await create_job(ctx, "test.pages", dedupe_key="order-1:ja")).id == first.id
    assert (await create_job(ctx, "test.pages", dedupe_key="order-1:en")).id != first.id
    assert (await create_job(_ctx(9308, clock), "test.pages", dedupe_key="order-1:ja")).id != (
        first.id
    )
    await run_job(ctx, first.id, {"test.pages": Pages(25)}, claim="t", lease_seconds=LEASE)
    assert (await create_job(ctx, "test.pages", dedupe_key="order-1:ja")).id != first.id


async def test_a_double_click_at_the_same_moment_makes_one_job(database, clock):
    ctx = _ctx(9310, clock)
    search = "q=" + "株式会社サンプル" * 30  # a long, URL-encoded filter is part of the key
    jobs = await asyncio.gather(
        *[create_job(ctx, "test.pages", dedupe_key=search) for _ in range(4)]
    )
    assert len({job.id for job in jobs}) == 1
    events = await OutboxEvent.select().where(OutboxEvent.tenant_id == 9310).run()
    assert len(events) == 1, "one task is sent"


async def test_a_job_that_never_finishes_is_failed_after_its_last_attempt(database, clock):
    ctx = _ctx(9311, clock)
    job = await create_job(ctx, "test.pages")
    dies = Pages(100, fail_at=25)  # as a worker killed mid-job: the same claim comes back
    for _ in range(MAX_ATTEMPTS):
        with pytest.raises(RuntimeError):
            await run_job(
                ctx, job.id, {"test.pages": dies}, claim="t", lease_seconds=LEASE,
                last_attempt=False,
            )  # fmt: skip
    status = await run_job(ctx, job.id, {"test.pages": dies}, claim="t", lease_seconds=LEASE)
    assert status == "failed" and dies.calls == MAX_ATTEMPTS
    failed = await get_job(ctx, job.id)
    assert (failed.status, failed.error_id) == ("failed", "jobs.error.gave_up")
    assert failed.error_params == {"attempts": MAX_ATTEMPTS}


async def test_jobs_whose_task_was_lost_are_found_once_per_quiet_period(database, clock):
    ctx = _ctx(9309, clock)
    queued = await create_job(ctx, "test.lost")
    running = await create_job(ctx, "test.lost")

    async def hangs(run: JobRun) -> JobOutput:
        raise RuntimeError("worker killed")

    with pytest.raises(RuntimeError):
        await run_job(
            ctx, running.id, {"test.lost": hangs}, claim="t", lease_seconds=LEASE,
            last_attempt=False,
        )  # fmt: skip
    mine = lambda found: [job_id for tenant, job_id in found if tenant == 9309]  # noqa: E731
    assert mine(await stale_jobs(clock)) == []
    clock.advance(timedelta(seconds=301))
    assert mine(await stale_jobs(clock)) == [queued.id, running.id]
    assert mine(await stale_jobs(clock)) == []
    clock.advance(timedelta(seconds=301))
    assert mine(await stale_jobs(clock)) == [queued.id, running.id]


def test_hook_register_job_runners():
    async def runner(run: JobRun) -> JobOutput:
        return JobOutput()

    class Plugin:
        @hookimpl
        def register_job_runners(self):
            return {"test.kind": runner}

    pm = build_plugin_manager(load_entrypoints=False, extra=[Plugin()])
    runners = collect_mapping(pm, "register_job_runners")
    assert runners["test.kind"] is runner
    assert callable(runners["digicert.voucher_pdf"])  # the built-in DigiCert plugin's
