"""The README's first command, minus the install: ``shomei up`` on a fresh ./var."""

import os
import re
import signal

import httpx

from core.ops import ops_token
from tests.processes import free_port, shomei_env, wait_for


def test_shomei_up_serves_runs_tasks_and_stops_cleanly(tmp_path, processes):
    port = free_port()
    var = tmp_path / "var"
    env = shomei_env(None, SHOMEI_VAR_DIR=str(var))
    log = tmp_path / "up.log"
    up = processes(["up", "--port", str(port)], env, log)  # the README's own example
    try:
        wait_for(
            lambda: "shomei is running" in log.read_text(errors="replace"), 90, "shomei up", log
        )
        output = log.read_text()
        base = f"http://127.0.0.1:{port}"
        assert f"open http://localhost:{port}/" in output
        assert re.search(r"owner@\S+ / \S+", output), "the demo logins are printed"
        console = f"http://demo.localhost:{port}/console/login"
        assert console in output
        # browsers resolve demo.localhost to this machine; the Host header is what decides
        page = httpx.get(f"{base}/console/login", headers={"Host": f"demo.localhost:{port}"})
        assert page.status_code == 200 and "password" in page.text

        assert httpx.get(f"{base}/health").json() == {"status": "ok"}
        assert httpx.get(f"{base}/ready").status_code == 200
        assert "paths" in httpx.get(f"{base}/api/v1/schema/openapi.json").json()

        secret = (var / "secret_key").read_text().strip()
        headers = {"Authorization": f"Bearer {ops_token(secret)}"}
        token = httpx.post(f"{base}/api/v1/system/worker-pings", json={}, headers=headers).json()[
            "token"
        ]

        def answered() -> bool:
            ping = httpx.get(f"{base}/api/v1/system/worker-pings/{token}", headers=headers).json()
            return bool(ping["answered_at"])

        wait_for(answered, 60, "the embedded worker to answer", log)
    finally:
        if up.poll() is None:
            os.kill(up.pid, signal.SIGINT)
        code = up.wait(timeout=40)
    assert code in (0, 130), log.read_text()[-3000:]
    children = [line for line in os.popen(f"pgrep -g {up.pid}").read().split() if line]
    assert children == [], "every child process has stopped"
