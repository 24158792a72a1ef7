"""Renewal-reminder sweep benchmark on PostgreSQL: its cost follows what is due, not what is
stored.

Run: ``.venv/bin/python bench/renewal_sweep.py [stored] [tenants]`` (defaults 1,000,000 and
10,000). A throw-away database is created and migrated; entitlements are bulk-inserted with
``generate_series``, none of them due; then 1,000 and later 10,000 of them are moved to expire
in 30 days (spread over all tenants). Each phase times the sweep's tenant query (``EXPLAIN
ANALYZE`` shows the ``expires_at`` index) and the whole in-process sweep (every tenant's batches:
a mark and an outbox row per reminder), through a small connection pool as a long-running
process would use. Then the stored rows are doubled with the due count back at 1,000. The
figures go into ``bench/README.md``.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import sys
import time
from datetime import UTC, date, datetime, timedelta

import asyncpg

from core import db
from core.clock import FrozenClock
from core.context import TenantRef
from core.plugins import build_plugin_manager, piccolo_app_modules
from core.schedules.renewal_reminders import RenewalReminders
from core.schedules.sweep import find_tenants, run_job

ADMIN = os.environ.get("SHOMEI_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
TODAY = date(2027, 1, 1)
NOW = datetime(2027, 1, 1, 0, 30, tzinfo=UTC)  # 09:30 in Japan


def _numbered(sql: str) -> str:
    """Piccolo's ``{}`` placeholders as asyncpg's ``$n``."""
    count = iter(range(1, 1000))
    return re.sub(r"\{\}", lambda _: f"${next(count)}", sql)


async def insert_rows(conn: asyncpg.Connection, first: int, count: int, tenants: int) -> float:
    """``count`` issued certificates expiring 100-399 days from TODAY (never in a window)."""
    started = time.perf_counter()
    await conn.execute(
        """
        INSERT INTO entitlements_entitlement
          (tenant_id, customer_id, order_id, order_line_id, seq, parent_id, provider_code,
           provider_account_id, product_code, state, upstream_ref, data, issued_at, expires_at,
           next_poll_at, poll_attempts, auto_renew, payment_method, renewal_day,
           renewed_from_id, created_at, updated_at)
        SELECT 1 + (g % $3), NULL, NULL, NULL, 0, NULL, 'hosting', NULL, 'SSL-DV-1Y', 'issued',
               NULL, '{}', $4::timestamptz - interval '300 days',
               $4::timestamptz + ((100 + g % 300) * interval '1 day'), NULL, 0, false, '',
               NULL, NULL, $4::timestamptz, $4::timestamptz
        FROM generate_series($1::int, $2::int) AS g
        """,
        first,
        first + count - 1,
        tenants,
        NOW,
    )
    await conn.execute("ANALYZE entitlements_entitlement")
    return time.perf_counter() - started


async def make_due(conn: asyncpg.Connection, due: int, stored: int) -> None:
    """Exactly ``due`` rows expire in 30 days: ``id * 7919 mod stored`` runs over every residue
    once (7919 is a prime not dividing ``stored``), so the due rows spread over all tenants."""
    await conn.execute(
        "UPDATE entitlements_entitlement SET expires_at = $1"
        " WHERE id <= $2 AND (id::bigint * 7919) % $2 < $3",
        NOW + timedelta(days=30),
        stored,
        due,
    )
    await conn.execute("ANALYZE entitlements_entitlement")


async def reset(conn: asyncpg.Connection) -> None:
    await conn.execute("DELETE FROM schedules_mark")
    await conn.execute("DELETE FROM outbox_event")


async def phase(conn: asyncpg.Connection, label: str) -> dict[str, object]:
    job = RenewalReminders()
    sql, args, _ = job._sql(TODAY, (90, 30, 7, 1), "DISTINCT e.tenant_id")
    plan = await conn.fetch(
        "EXPLAIN (ANALYZE, BUFFERS) " + _numbered(sql + " ORDER BY e.tenant_id"), *args
    )
    plan_text = "\n".join(row[0] for row in plan)
    execution = re.search(r"Execution Time: ([0-9.]+) ms", plan_text)
    buffers = re.search(r"Buffers: shared hit=(\d+)(?: read=(\d+))?", plan_text)
    started = time.perf_counter()
    tenant_ids = await find_tenants(job, TODAY)
    query_s = time.perf_counter() - started

    async def ref(tenant_id: int) -> TenantRef:
        return TenantRef(id=tenant_id, slug=f"t{tenant_id}")

    started = time.perf_counter()
    sent = await run_job(job, TODAY, FrozenClock(NOW), ref, limit=500)
    sweep_s = time.perf_counter() - started
    stored = await conn.fetchval("SELECT count(*) FROM entitlements_entitlement")
    result = {
        "phase": label,
        "stored": stored,
        "tenants_due": len(tenant_ids),
        "reminders": sent,
        "tenant_query_ms": round(query_s * 1000, 1),
        "sweep_s": round(sweep_s, 2),
        "per_reminder_ms": round(sweep_s * 1000 / max(sent, 1), 2),
        "index_used": "entitlements_entitlement_expires_at" in plan_text,
        "plan_execution_ms": float(execution.group(1)) if execution else None,
        "plan_buffers": sum(int(b or 0) for b in buffers.groups()) if buffers else None,
    }
    print(result, flush=True)
    print("\n".join("    " + line for line in plan_text.splitlines()[:14]), flush=True)
    return result


async def main(stored: int, tenants: int) -> None:
    name = f"shomei_bench_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(ADMIN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = ADMIN.rsplit("/", 1)[0] + f"/{name}"
    try:
        db.bind_engine(
            db.make_engine(url), piccolo_app_modules(build_plugin_manager(load_entrypoints=False))
        )
        await db.migrate()
        await db.bound_engine().start_connection_pool(min_size=1, max_size=4)
        conn = await asyncpg.connect(url)
        print(f"inserted {stored:,} in {await insert_rows(conn, 1, stored, tenants):.1f} s")
        for due in (1_000, 10_000):
            await reset(conn)
            await make_due(conn, due, stored)
            await phase(conn, f"{due:,} due of {stored:,}")
        await conn.execute(
            "UPDATE entitlements_entitlement SET expires_at = $1::timestamptz + interval '200 days'"
            " WHERE expires_at < $1::timestamptz + interval '100 days'",
            NOW,
        )
        more = await insert_rows(conn, stored + 1, stored, tenants)
        print(f"inserted {stored:,} more in {more:.1f} s")
        await reset(conn)
        await make_due(conn, 1_000, stored)
        await phase(conn, f"1,000 due of {2 * stored:,}")
        await conn.close()
        await db.bound_engine().close_connection_pool()
    finally:
        admin = await asyncpg.connect(ADMIN)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    asyncio.run(main(*(args + [1_000_000, 10_000][len(args) :])))
