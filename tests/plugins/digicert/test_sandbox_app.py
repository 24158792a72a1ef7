import subprocess
import sys
from pathlib import Path

import httpx
from litestar import Litestar

from core.clock import FrozenClock
from plugins.digicert.client import CertCentralClient
from plugins.digicert.models import VoucherLine, VoucherOrderRequest
from plugins.digicert.sandbox import Sandbox, SandboxConfig, create_sandbox_router
from tests.plugins.digicert.conftest import START
from tests.plugins.digicert.servers import UvicornThread
from tests.processes import ROOT, free_port, stop, wait_for

ORDER = VoucherOrderRequest((VoucherLine("ssl_dv_geotrust", quantity=3),))


async def test_router_mounts_under_a_path_of_another_app(tmp_path):
    sandbox = Sandbox.open(tmp_path, FrozenClock(START), SandboxConfig(api_key="k"))
    app = Litestar(route_handlers=[create_sandbox_router(sandbox, "/upstream/digicert")])
    with UvicornThread(app) as server:
        base = f"{server.url}/upstream/digicert"
        async with CertCentralClient("k", f"{base}/services/v2") as api:
            order = await api.create_voucher_order(ORDER, "line:1:fulfil")
            assert len(await api.voucher_codes(order.id)) == 3
        async with httpx.AsyncClient() as http:
            ca = (await http.get(f"{base}/sandbox/ca")).json()
    assert ca["root"].startswith("-----BEGIN CERTIFICATE-----")


async def test_state_survives_a_restart(tmp_path):
    config = SandboxConfig(api_key="k")
    first = Sandbox.open(tmp_path, FrozenClock(START), config)
    with UvicornThread(Litestar([create_sandbox_router(first)])) as server:
        async with CertCentralClient("k", f"{server.url}/services/v2") as api:
            order = await api.create_voucher_order(ORDER, "line:2:fulfil")
    second = Sandbox.open(tmp_path, FrozenClock(START), config)
    assert second.ca.root_pem == first.ca.root_pem
    with UvicornThread(Litestar([create_sandbox_router(second)])) as server:
        async with CertCentralClient("k", f"{server.url}/services/v2") as api:
            assert (await api.find_voucher_order("line:2:fulfil")).id == order.id


async def test_runs_standalone_on_loopback(tmp_path: Path):
    port = free_port()
    log = tmp_path / "sandbox.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "plugins.digicert.sandbox", "--port", str(port),
         "--state-dir", str(tmp_path / "state"), "--api-key", "cli-key",
         "--resolve", "www.shop.test=127.0.0.1"],
        cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:

        def answering() -> bool:
            try:
                return httpx.get(f"http://127.0.0.1:{port}/sandbox/ca").status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(answering, 20, "the standalone sandbox", log)
        async with CertCentralClient("cli-key", f"http://127.0.0.1:{port}/services/v2") as api:
            order = await api.create_voucher_order(ORDER, "line:3:fulfil")
            assert order.status == "completed"
    finally:
        stop(process)
    assert (tmp_path / "state" / "state.json").exists()
