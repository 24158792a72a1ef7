"""The README's first command, minus the install: ``shomei up --port <free>`` on a fresh ./var
(the README's ``bash scripts/up --port 9000``): it waits on the port it was given, and every
address it prints answers, the DigiCert sandbox and localstripe it started among them."""

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

        # every address up printed answers (a *.localhost name by its Host header)
        told = output.split("shomei is running", 1)[1].split("Press Ctrl-C", 1)[0]
        told = "\n".join(line for line in told.splitlines() if not line.startswith("{"))
        printed = re.findall(r"https?://[^\s:/]+:\d+[^\s:]*", told)
        assert len(printed) >= 6, output
        for url in printed:
            parts = httpx.URL(url)
            answer = httpx.get(
                url.replace(parts.host, "127.0.0.1", 1), headers={"Host": parts.netloc.decode()}
            )
            if parts.host == "127.0.0.1":  # the upstream stand-ins answer (an API wants its key)
                assert answer.status_code in (401, 404), (url, answer.status_code)
            else:
                assert answer.status_code == 200, (url, answer.status_code)
        shop = httpx.get(f"{base}/shop/", headers={"Host": f"demo.localhost:{port}"})
        assert "22,000円" in shop.text, "the demo shop sells DigiCert's Basic OV on first start"
        assert re.search(r"localstripe\) at http://127\.0\.0\.1:\d+", output)
        shim = httpx.get(
            f"{base}/payments/card/sandbox/stripe.js", headers={"Host": f"demo.localhost:{port}"}
        )
        assert shim.status_code == 200 and "window.Stripe" in shim.text
        for host in (f"localhost:{port}", f"demo.localhost:{port}"):
            icon = httpx.get(f"{base}/favicon.ico", headers={"Host": host})
            assert icon.headers["content-type"] == "image/x-icon"

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
