"""A big Zengin file is imported by a background job (``core.jobs``), not in the request.

``web/console/transfers.py`` hands a file of more than ``JOB_ABOVE_BYTES`` to
``queue_import``; the worker's runner (``run_import``, registered by ``web.builtin``) calls the
same service as the request would (``core.payments.transfers.import_zengin``) and keeps what
the result panel shows as the job's summary; ``/console/transfers?job={id}`` then shows it as
an immediate import does. A refused file fails the job with the parser's message.

The import is one transaction (all lines or none), so its progress has no counts: the page
shows the job running until the whole file is in. It is safe to run again: the file and each
line are unique per tenant, so a retried job never pays twice, and a retry after the first
attempt committed reads the summary back from the file's stored lines.

No Litestar here: the worker loads this module through ``web.builtin``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.context import Context
from core.errors import ValidationFailed
from core.jobs.running import JobFailed, JobOutput, JobRun
from core.jobs.service import DONE, JobView, create_job, get_job
from core.payments.bank_backend import bank_transfer_backend
from core.payments.tables import BankLine
from core.payments.transfers import ImportResult, import_zengin
from tenants.roles import Permission
from web.api.payment_recipients import customer_recipient

KIND = "payments.zengin_import"
JOB_ABOVE_BYTES = 200 * 202
"""About 200 records (a Zengin record is 200 bytes, plus its line end)."""


@dataclass(frozen=True)
class ImportSummary:
    """What the import result panel shows, from an import or from a job's summary."""

    changed: bool
    kind: str
    lines: int
    new_lines: int
    matched: int
    unmatched: int
    received: int
    payments: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def of(cls, result: ImportResult) -> ImportSummary:
        return cls(
            changed=result.changed,
            kind=result.kind,
            lines=result.lines,
            new_lines=result.new_lines,
            matched=result.matched,
            unmatched=result.unmatched,
            received=sum(p.received for p in result.payments),
            payments=[
                {"payable_type": p.payable_type, "payable_id": p.payable_id, "effect": p.effect}
                for p in result.payments
            ],
        )

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


async def queue_import(ctx: Context, data: bytes) -> JobView:
    return await create_job(
        ctx,
        KIND,
        permission=Permission.PAYMENTS_MANAGE.value,
        params={
            "section": "transfers",
            "back_url": "/console/transfers",
            "result_url": "/console/transfers?job={job_id}",
        },
        payload=data,
    )


async def import_summary(ctx: Context, job_id: int) -> ImportSummary | None:
    """The summary of the tenant's finished import job ``job_id`` (None for anything else)."""
    job = await get_job(ctx, job_id)
    if job.kind != KIND or job.status != DONE:
        return None
    return ImportSummary(**job.summary)


async def _stored(ctx: Context, result: ImportResult) -> ImportSummary:
    """A retry found its file imported by its own first attempt: what that import stored."""
    rows = await (
        BankLine.select(BankLine.status)
        .where((BankLine.tenant_id == ctx.tenant.id) & (BankLine.file_id == result.file_id))
        .run()
    )
    statuses = [row["status"] for row in rows]
    return ImportSummary(
        changed=True,
        kind=result.kind,
        lines=result.lines,
        new_lines=len(statuses),
        matched=statuses.count("matched"),
        unmatched=statuses.count("unmatched"),
        received=0,
    )


async def run_import(run: JobRun) -> JobOutput:
    backend = bank_transfer_backend(run.registry)
    try:
        result = await import_zengin(
            run.ctx, await run.payload(), recipients=customer_recipient, backend=backend
        )
    except ValidationFailed as exc:
        first = exc.errors[0]
        raise JobFailed(first.message_id, **first.params) from None
    summary = ImportSummary.of(result)
    if not result.changed and run.job.attempts > 1:
        summary = await _stored(run.ctx, result)
    await run.progress(summary.lines, total=summary.lines)
    return JobOutput(summary=summary.as_json())
