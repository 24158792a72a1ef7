"""Order creation throughput through the HTTP API, against a trivial endpoint of the same server.

Runs on PostgreSQL (a throw-away database on the server of SHOMEI_TEST_POSTGRES_URL), the app
served by uvicorn in a subprocess with its connection pool, and a load of concurrent HTTP
clients from this process:

    .venv/bin/python bench/orders_http.py [seconds=10] [concurrency=16]

It prints requests per second for ``GET /health`` and for ``POST /api/v1/orders`` (each order
with a fresh Idempotency-Key: a real creation, priced, provider-validated, with its outbox row),
and their ratio.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.bootstrap import migrate_database  # noqa: E402
from core.clock import SystemClock  # noqa: E402
from core.settings import Settings  # noqa: E402
from tests.processes import free_port, wait_for  # noqa: E402
from tests.web.api_fixtures import api_tenant  # noqa: E402

ADMIN = os.environ.get("SHOMEI_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PLUGIN_MODULE = "tests.core.orders.helpers"


async def load(client: httpx.AsyncClient, make: object, seconds: float, concurrency: int) -> float:
    done = 0
    stop = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < stop:
            response = await make(client)  # type: ignore[operator]
            assert response.status_code in (200, 201), response.text
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done / (time.perf_counter() - started)


async def main(seconds: float, concurrency: int) -> None:
    name = f"shomei_bench_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(ADMIN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = ADMIN.rsplit("/", 1)[0] + "/" + name
    env = {
        "SHOMEI_VAR_DIR": str(ROOT / "var" / "bench"),
        "SHOMEI_DATABASE_URL": url,
        "SHOMEI_BROKER_URL": "redis://127.0.0.1:6379/14",
        "SHOMEI_SECRET_KEY": "bench-secret-" + "x" * 32,
        "SHOMEI_API_RATE_LIMIT": "100000000",
        "SHOMEI_LOG_LEVEL": "WARNING",
    }
    settings = Settings.from_env(env)
    server = None
    try:
        await migrate_database(settings)
        shop = await api_tenant(settings, SystemClock())
        port = free_port()
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        log = (settings.var_dir / "server.log").open("wb")
        server = subprocess.Popen(
            [sys.executable, "-c", SERVE, str(port)],
            cwd=ROOT,
            env={**os.environ, **env, "SHOMEI_LOAD_ENTRYPOINT_PLUGINS": "0"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: _up(base), 30, "the server")
        limits = httpx.Limits(max_connections=concurrency)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
            await load(client, lambda c: c.get("/health"), 2, concurrency)  # warm-up
            health = await load(client, lambda c: c.get("/health"), seconds, concurrency)
            body = {
                "payment_method": "card",
                "lines": [{"product_id": shop.product_id, "quantity": 2, "fqdns": 1}],
            }

            def order(c: httpx.AsyncClient) -> object:
                headers = {**shop.headers, "Idempotency-Key": secrets.token_hex(12)}
                return c.post("/api/v1/orders", json=body, headers=headers)

            await load(client, order, 2, concurrency)  # warm-up
            orders = await load(client, order, seconds, concurrency)
        print(f"GET /health           {health:8.1f} req/s")
        print(f"POST /api/v1/orders   {orders:8.1f} req/s")
        print(f"ratio orders/health   {orders / health:8.3f}")
        print(f"(PostgreSQL, 1 uvicorn worker, {concurrency} concurrent clients, {seconds:.0f} s)")
    finally:
        if server is not None:
            server.terminate()
            server.wait()
        admin = await asyncpg.connect(ADMIN)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def _up(base: str) -> bool:
    try:
        return httpx.get(f"{base}/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


SERVE = """
import sys
import uvicorn
from core.settings import get_settings
from tests.core.orders.helpers import TestPlugin
from web.app import create_app

app = create_app(get_settings(), plugins=[TestPlugin()], clock=SystemClock())
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
"""


if __name__ == "__main__":
    args = sys.argv[1:]
    asyncio.run(main(float(args[0]) if args else 10.0, int(args[1]) if len(args) > 1 else 16))
