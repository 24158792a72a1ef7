"""A task sent by the web process is executed by a separate ``shomei worker`` process.

Runs on every database backend, with the broker of its mode (filesystem for embedded SQLite,
Redis for PostgreSQL) and with RabbitMQ.
"""

import pytest
from litestar.testing import AsyncTestClient

from core.ops import ops_token
from tests.conftest import AMQP_URL, make_settings
from tests.processes import eventually, shomei_env, start_shomei, stop
from web.app import create_app


@pytest.mark.parametrize("broker", ["mode-default", "rabbitmq"])
async def test_web_sends_a_task_that_a_worker_process_executes(tmp_path, database, broker):
    extra = {"broker_url": AMQP_URL} if broker == "rabbitmq" else {}
    settings = make_settings(tmp_path / "var", database, **extra)
    log = tmp_path / "worker.log"
    worker = start_shomei(["worker", "--hostname", f"test-{broker}@%h"], shomei_env(settings), log)
    try:
        async with AsyncTestClient(create_app(settings, configure_logs=False)) as client:
            headers = {"Authorization": f"Bearer {ops_token(settings.secret_key)}"}
            created = await client.post(
                "/api/v1/system/worker-pings", json={"queue": "default"}, headers=headers
            )
            assert created.status_code == 202, created.text
            token = created.json()["token"]
            assert created.json()["answered_at"] is None

            async def answered() -> dict | None:
                body = (
                    await client.get(f"/api/v1/system/worker-pings/{token}", headers=headers)
                ).json()
                return body if body["answered_at"] else None

            body = await eventually(answered, 60, "the worker to answer the ping", log)
        assert body["answered_by"], "the worker records who answered"
        assert worker.poll() is None, "the worker is still running"
    finally:
        assert stop(worker) in (0, -15), log.read_text()[-2000:]
