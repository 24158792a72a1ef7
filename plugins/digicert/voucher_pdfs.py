"""Voucher PDFs as a service: small ones at once, big ones as a background job.

``render_now`` makes the PDF of a few codes inside the request. An order of more than
``IMMEDIATE_MAX`` codes is a job of kind ``digicert.voucher_pdf`` instead
(``queue_voucher_pdf``): the worker's runner (``render_job``) lays the codes out ``CHUNK`` at a
time, commits its progress after each chunk and merges the pages into one PDF, which becomes
the job's result file. Both read the same codes, issuer and product names.
"""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

from core.catalog.products import list_products
from core.context import Context
from core.jobs.running import JobFailed, JobOutput, JobRun
from core.jobs.service import JobView, create_job
from core.messaging.branding import load_logo
from plugins.digicert.contracts import get_contract
from plugins.digicert.pdf import shared_renderer
from plugins.digicert.views import CodeView, order_codes

KIND = "digicert.voucher_pdf"
IMMEDIATE_MAX = 50
"""Up to this many codes the PDF is made inside the request (about 0.2 s a page)."""
CHUNK = 25
"""Codes laid out between two progress commits."""


async def product_names(ctx: Context, language: str) -> dict[str, str]:
    """Product code → name in ``language``, for the contract's products."""
    contract = await get_contract(ctx)
    return {
        p.code: p.name(language) for p in await list_products(ctx, contract.provider_account_id)
    }


async def render_now(ctx: Context, codes: list[CodeView], language: str) -> bytes:
    """The vouchers of ``codes`` as one PDF (one page per code), in ``language``."""
    contract = await get_contract(ctx)
    names = await product_names(ctx, language)
    logo = await load_logo(ctx)
    return await asyncio.to_thread(
        shared_renderer().pdf, codes, contract.issuer, language, names, logo
    )


async def queue_voucher_pdf(
    ctx: Context,
    codes: list[CodeView],
    language: str,
    filename: str,
    permission: str,
    page: dict[str, str] | None = None,
) -> JobView:
    """A job rendering the vouchers of ``codes`` (all of one order); while one for the same
    codes and language is queued or running, that one. ``page`` is what the progress page
    shows besides (its console ``section``, a ``back_url``)."""
    ids = [c.id for c in codes]
    digest = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:32]
    order_id = codes[0].voucher_order_id
    return await create_job(
        ctx,
        KIND,
        permission=permission,
        params={
            **(page or {}),
            "order_id": order_id,
            "code_ids": ids,
            "language": language,
            "filename": filename,
        },
        total=len(ids),
        dedupe_key=f"{order_id}:{language}:{digest}",
    )


async def render_job(run: JobRun) -> JobOutput:
    """The job's runner: the codes in chunks of ``CHUNK``, progress after each, one PDF."""
    params: dict[str, Any] = run.job.params
    wanted = set(params["code_ids"])
    codes = [c for c in await order_codes(run.ctx, params["order_id"]) if c.id in wanted]
    if not codes:
        raise JobFailed("digicert.voucher_pdf.no_codes")
    language = params["language"]
    contract = await get_contract(run.ctx)
    names = await product_names(run.ctx, language)
    logo = await load_logo(run.ctx)
    renderer = shared_renderer()
    await run.progress(0, total=len(codes))
    documents = []
    for start in range(0, len(codes), CHUNK):
        chunk = codes[start : start + CHUNK]
        documents.append(
            await asyncio.to_thread(
                renderer.document, chunk, contract.issuer, language, names, logo
            )
        )
        await run.progress(start + len(chunk))
    content = await asyncio.to_thread(renderer.merge, documents)
    return JobOutput(content, params["filename"], "application/pdf", {"codes": len(codes)})
