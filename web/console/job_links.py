"""Where a background job's progress page is, for the console pages that start jobs (kept
apart from ``web/console/jobs.py`` so the list helper can use it without an import cycle)."""

from __future__ import annotations

from litestar.response import Redirect

from core.jobs.service import JobView

BASE = "/console/jobs"


def job_url(job: JobView) -> str:
    return f"{BASE}/{job.id}"


def job_redirect(job: JobView) -> Redirect:
    """After a POST (or a GET that queued a job): see its progress."""
    return Redirect(job_url(job), status_code=303)
