"""A DigiCert voucher order of 1000 codes on PostgreSQL: generation, storage, invoice, exports.

    .venv/bin/python bench/voucher_order_1000.py [codes=1000] [pdf_codes=1000]

A throw-away PostgreSQL database (on the server of SHOMEI_TEST_POSTGRES_URL), migrated; one
tenant set up as the tests set it up (provider account, product, price table, pay-as-you-go
contract); the sandbox upstream in memory under uvicorn on loopback, reached over HTTP by the
real client. ``place_voucher_order`` runs once for ``codes`` codes and prints the time of each
step it takes (upstream create, upstream code list, storing the codes, the invoice), then the
order's codes CSV, the voucher orders CSV, and the voucher PDF (one page per code) in Japanese.
The figures go into ``bench/README.md``.
"""

from __future__ import annotations

import asyncio
import os
import random
import secrets
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.bootstrap import migrate_database  # noqa: E402
from core.clock import SystemClock  # noqa: E402
from core.context import tenant_scope  # noqa: E402
from core.settings import Settings  # noqa: E402
from plugins.digicert import exports, vouchers  # noqa: E402
from plugins.digicert.client import CertCentralClient  # noqa: E402
from plugins.digicert.contracts import get_contract  # noqa: E402
from plugins.digicert.pdf import VoucherPdfRenderer  # noqa: E402
from plugins.digicert.sandbox import SandboxConfig, create_sandbox_app  # noqa: E402
from plugins.digicert.views import order_codes  # noqa: E402
from tests.plugins.digicert.servers import UvicornThread  # noqa: E402
from tests.plugins.digicert.shop import API_KEY, make_shop  # noqa: E402

ADMIN = os.environ.get("SHOMEI_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
timings: dict[str, float] = {}


def timed(name: str, call: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    async def run(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return await call(*args, **kwargs)
        finally:
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - began

    return run


class TimedClient(CertCentralClient):
    """The real client, timing the two upstream calls of a voucher order."""

    async def create_voucher_order(self, *args: Any, **kwargs: Any) -> Any:
        return await timed("upstream: create voucher order", super().create_voucher_order)(
            *args, **kwargs
        )

    async def voucher_codes(self, *args: Any, **kwargs: Any) -> Any:
        return await timed("upstream: list the codes", super().voucher_codes)(*args, **kwargs)


async def main(codes: int, pdf_codes: int) -> None:
    name = f"shomei_bench_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(ADMIN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = ADMIN.rsplit("/", 1)[0] + "/" + name
    settings = Settings.from_env(
        {
            "SHOMEI_VAR_DIR": str(ROOT / "var" / "bench"),
            "SHOMEI_DATABASE_URL": url,
            "SHOMEI_BROKER_URL": "redis://127.0.0.1:6379/14",
            "SHOMEI_SECRET_KEY": "bench-secret-" + "x" * 32,
            "SHOMEI_LOAD_ENTRYPOINT_PLUGINS": "0",
        }
    )
    clock = SystemClock()
    config = SandboxConfig(api_key=API_KEY, rng=random.Random(1))
    try:
        await migrate_database(settings)
        with UvicornThread(create_sandbox_app(None, clock, config=config)) as upstream:
            shop = await make_shop(settings, clock, f"{upstream.url}/services/v2")
            vouchers.store_codes = timed("shomei: store the codes", vouchers.store_codes)
            vouchers._issue_invoice = timed("shomei: issue the invoice", vouchers._issue_invoice)
            request = vouchers.VoucherOrderIn(
                "bank_transfer", (vouchers.VoucherLineIn("ssl_basic", codes, 1, 1, 0),)
            )
            ctx = shop.ctx.with_key("bench-1000")
            with tenant_scope(shop.tenant):
                async with TimedClient(API_KEY, f"{upstream.url}/services/v2", timeout=120) as api:
                    began = time.perf_counter()
                    order = await vouchers.place_voucher_order(ctx, api, request)
                    total = time.perf_counter() - began
                assert len(order.codes) == codes and order.invoice_id is not None
                print(f"voucher order of {len(order.codes)} codes: {total:.3f} s in all")
                for step, seconds in timings.items():
                    print(f"  {step:32} {seconds:.3f} s")
                began = time.perf_counter()
                codes_csv = await exports.order_codes_csv(shop.ctx, order.id)
                print(
                    f"codes CSV ({codes} rows): {time.perf_counter() - began:.3f} s, "
                    f"{len(codes_csv):,} bytes"
                )
                began = time.perf_counter()
                orders_csv = await exports.voucher_orders_csv(shop.ctx)
                spent = time.perf_counter() - began
                print(f"voucher orders CSV: {spent:.3f} s, {len(orders_csv)} bytes")
                listed = (await order_codes(shop.ctx, order.id))[:pdf_codes]
                issuer = (await get_contract(shop.ctx)).issuer
            began = time.perf_counter()
            renderer = VoucherPdfRenderer()
            built = time.perf_counter() - began
            began = time.perf_counter()
            pdf = renderer.pdf(listed, issuer, "ja", {"ssl_basic": "ベーシックOV"})
            rendered = time.perf_counter() - began
            print(
                f"voucher PDF, ja, {len(listed)} pages: {rendered:.3f} s "
                f"({rendered / len(listed) * 1000:.1f} ms per page), {len(pdf):,} bytes "
                f"(renderer built in {built:.3f} s)"
            )
    finally:
        admin = await asyncpg.connect(ADMIN)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    asyncio.run(main(args[0] if args else 1000, args[1] if len(args) > 1 else 1000))
