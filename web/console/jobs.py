"""The progress page of a background job (``core.jobs``) and its download.

A console action that starts long work creates the job and answers ``job_redirect(job)``: the
browser lands on ``/console/jobs/{id}``, which shows the status, a ``<progress>`` bar and the
counts, and reloads itself every few seconds (a meta refresh: no script) until the job is done
(then the download, or a link to the page showing its result) or failed (then its error, in
the staff member's language). Reloading or coming back with the browser's back button shows
the same job again; nothing is started twice.

Only the tenant's own staff see a job (another tenant's id is the console's 404 page): the
member who started it, and others with the permission the starting page named
(``Job.permission``; a CSV export names none, so it is its creator's alone).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.params import FromPath
from litestar.response import Redirect

from core.billing.invoices import actor_ref
from core.errors import NotFound
from core.jobs.service import JobView, get_job, job_file
from tenants.roles import Permission
from web.console.access import SignedInStaff, forbidden, not_found, staff
from web.console.job_links import BASE, job_url
from web.console.listing import formatter
from web.console.pages import page
from web.pages import SECURITY_HEADERS

REFRESH_SECONDS = 2


async def _visible_job(
    request: Request[Any, Any, Any], job_id: int
) -> tuple[SignedInStaff, JobView] | Response[Any]:
    me = await staff(request)
    if not isinstance(me, SignedInStaff):
        return me
    try:
        job = await get_job(me.ctx, job_id)
    except NotFound:
        return not_found(request)
    mine = job.created_by == actor_ref(me.ctx.actor)
    if not mine and not (job.permission and me.may(Permission(job.permission))):
        return forbidden(request, me)
    return me, job


class ConsoleJobs(Controller):
    path = BASE
    include_in_schema = False

    @get("/{job_id:int}")
    async def progress(
        self, request: Request[Any, Any, Any], job_id: FromPath[int]
    ) -> Response[Any]:
        found = await _visible_job(request, job_id)
        if not isinstance(found, tuple):
            return found
        me, job = found
        fmt = formatter(request, me.ctx)
        return page(
            request,
            me,
            "pages/console/job.html",
            section=job.params.get("section", ""),
            job=job,
            refresh=0 if job.finished else REFRESH_SECONDS,
            created_at=fmt.moment(job.created_at),
            finished_at=fmt.moment(job.finished_at),
            result_url=job.params.get("result_url", "").replace("{job_id}", str(job.id)),
            back_url=job.params.get("back_url", ""),
        )

    @get("/{job_id:int}/download")
    async def download(
        self, request: Request[Any, Any, Any], job_id: FromPath[int]
    ) -> Response[Any]:
        found = await _visible_job(request, job_id)
        if not isinstance(found, tuple):
            return found
        me, job = found
        if not job.has_file:
            return Redirect(job_url(job), status_code=303)
        try:
            file = await job_file(me.ctx, job.id)
        except NotFound:
            return not_found(request)
        return Response(
            file.content,
            media_type=file.content_type,
            headers={
                **SECURITY_HEADERS,
                "content-disposition": f'attachment; filename="{file.filename}"',
            },
        )
