"""50 invoices created at once for one tenant: numbers 1..50, no gap, no duplicate.

Every creation runs in its own transaction on its own connection. On PostgreSQL they really
run in parallel (through a pool of 50 connections, so the test stays within the server's
connection limit) and the counter row's lock serialises the numbering; on SQLite each
``BEGIN IMMEDIATE`` waits for the write lock within the engine's busy timeout.
"""

import asyncio

from piccolo.engine.postgres import PostgresEngine

from core.billing import invoices
from core.billing.tables import Invoice, InvoiceCounter
from core.db import bound_engine
from core.tables import OutboxEvent
from tests.core.billing.factories import context, draft

CREATIONS = 50


async def test_fifty_concurrent_creations_number_gaplessly(database):
    ctx = context()
    engine = bound_engine()
    pooled = isinstance(engine, PostgresEngine)
    if pooled:
        await engine.start_connection_pool(min_size=CREATIONS, max_size=CREATIONS)
    try:
        created = await asyncio.gather(
            *(invoices.create_invoice(ctx, draft(f"order-{n}")) for n in range(CREATIONS))
        )
    finally:
        if pooled:
            await engine.close_connection_pool()
    assert sorted(invoice.seq for invoice in created) == list(range(1, CREATIONS + 1))
    assert len({invoice.number for invoice in created}) == CREATIONS
    stored = await Invoice.select(Invoice.seq).where(Invoice.tenant_id == ctx.tenant.id).run()
    assert sorted(row["seq"] for row in stored) == list(range(1, CREATIONS + 1))
    counter = await InvoiceCounter.select().where(InvoiceCounter.tenant_id == ctx.tenant.id).run()
    assert counter[0]["next_seq"] == CREATIONS + 1
    events = await OutboxEvent.count().where(OutboxEvent.tenant_id == ctx.tenant.id).run()
    assert events == CREATIONS


async def test_concurrent_retries_of_one_creation_make_one_invoice(database):
    ctx = context(key="panel:retry-storm")
    created = await asyncio.gather(
        *(invoices.create_invoice(ctx, draft("order-1")) for _ in range(10))
    )
    assert {invoice.id for invoice in created} == {created[0].id}
    assert await Invoice.count().where(Invoice.tenant_id == ctx.tenant.id).run() == 1
    counter = await InvoiceCounter.select().where(InvoiceCounter.tenant_id == ctx.tenant.id).run()
    assert counter[0]["next_seq"] == 2  # the retries gave their numbers back
