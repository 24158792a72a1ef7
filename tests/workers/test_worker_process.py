"""A task sent by the web process is executed by a separate ``shomei worker`` process.

Runs on every database backend, with the broker of its mode (filesystem for embedded SQLite,
Redis for PostgreSQL) and with RabbitMQ.
"""

import pytest
from litestar.testing import AsyncTestClient

from core.ops import ops_token
from tests.conftest import AMQP_URL, make_app, make_settings
from tests.processes import eventually, shomei_env, stop

pytestmark = pytest.mark.xdist_group("rabbitmq")  # one RabbitMQ virtual host


@pytest.mark.parametrize("broker", ["mode-default", "rabbitmq"])
async def test_web_sends_a_task_that_a_worker_process_executes(
    tmp_path, database, broker, processes
):
    extra = {"broker_url": AMQP_URL} if broker == "rabbitmq" else {}
    settings = make_settings(tmp_path / "var", database, **extra)
    log = tmp_path / "worker.log"
    worker = processes(["worker", "--hostname", f"test-{broker}@%h"], shomei_env(settings), log)
    headers = {"Authorization": f"Bearer {ops_token(settings.secret_key)}"}
    async with AsyncTestClient(make_app(settings)) as client:
        created = await client.post(
            "/api/v1/system/worker-pings", json={"queue": "default"}, headers=headers
        )
        assert created.status_code == 202, created.text
        token = created.json()["token"]
        assert created.json()["answered_at"] is None

        async def answered() -> dict | None:
            response = await client.get(f"/api/v1/system/worker-pings/{token}", headers=headers)
            body = response.json()
            return body if body["answered_at"] else None

        body = await eventually(answered, 60, "the worker to answer the ping", log)
    assert body["answered_by"], "the worker records who answered"
    assert worker.poll() is None, "the worker is still running"
    assert stop(worker) in (0, -15), log.read_text()[-2000:]


async def test_each_queue_receives_only_its_own_tasks(tmp_path, database, processes):
    """A ping sent to the billing queue is answered by a worker consuming only billing."""
    settings = make_settings(tmp_path / "var", database)
    log = tmp_path / "worker.log"
    env = shomei_env(settings)
    processes(["worker", "--hostname", "billing-only@%h", "--queues", "billing"], env, log)
    headers = {"Authorization": f"Bearer {ops_token(settings.secret_key)}"}
    async with AsyncTestClient(make_app(settings)) as client:
        to_billing = await client.post(
            "/api/v1/system/worker-pings", json={"queue": "billing"}, headers=headers
        )
        to_email = await client.post(
            "/api/v1/system/worker-pings", json={"queue": "email"}, headers=headers
        )

        async def billing_answered() -> bool:
            token = to_billing.json()["token"]
            response = await client.get(f"/api/v1/system/worker-pings/{token}", headers=headers)
            return bool(response.json()["answered_at"])

        await eventually(billing_answered, 60, "the billing worker to answer", log)
        email_token = to_email.json()["token"]
        email = await client.get(f"/api/v1/system/worker-pings/{email_token}", headers=headers)
        assert email.json()["answered_at"] is None, "a billing-only worker left the email task"
