"""The runner of a console list's CSV export as a background job (``console.csv_export``).

``web.console.listing.list_response`` queues the job when the export has more than
``CSV_JOB_ABOVE`` rows. The job names the list (``spec``), the module of the page's controller
(``module``, where the ``ListSpec`` is found again by name), the query string and the language
of the page. The runner reads the rows ``CSV_CHUNK`` at a time exactly as the immediate export
does (same filters, sort, cells and headers), committing its progress after each chunk, and
stores the file as the job's result.

Litestar is imported only when a CSV job runs (``web.builtin`` registers this module with the
worker, which otherwise never loads web pages).
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

from core.i18n import Translator, merge_catalogs
from core.jobs.running import JobFailed, JobOutput, JobRun

KIND = "console.csv_export"


@cache
def _catalogs(pm: Any) -> dict[str, dict[str, str]]:
    from web.i18n import web_catalogs

    return merge_catalogs([*pm.hook.register_translations(), web_catalogs()])


def _spec(module: str, name: str) -> Any:
    from web.console.listing import ListSpec

    found = vars(importlib.import_module(module)).values()
    for value in found:
        if isinstance(value, ListSpec) and value.name == name:
            return value
    raise JobFailed("web.console.job.no_list", name=name)


async def run_csv_export(run: JobRun) -> JobOutput:
    from web.console.listing import (
        CSV_TYPE,
        Formatter,
        csv_bytes,
        csv_rows,
        csv_total,
        parse_query,
    )

    params: dict[str, Any] = run.job.params
    spec = _spec(params["module"], params["spec"])
    query = parse_query(spec, params["query"])
    translate = Translator(_catalogs(run.registry.pm), params["language"])
    fmt = Formatter(translate, run.ctx.tenant.time_zone)
    await run.progress(0, total=await csv_total(spec, query, run.ctx))
    rows = await csv_rows(spec, query, run.ctx, progress=run.progress)
    return JobOutput(csv_bytes(spec, rows, fmt), params["filename"], CSV_TYPE)
