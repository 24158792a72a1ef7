import random
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.clock import FrozenClock
from core.egress import Egress
from plugins.digicert.client import CertCentralClient
from plugins.digicert.retry import RetryPolicy
from plugins.digicert.sandbox import Sandbox, SandboxConfig, create_sandbox_app
from tests.plugins.digicert.servers import TokenServer, UvicornThread

API_KEY = "test-devkey"
SANDBOX_EGRESS = Egress(allow_loopback=True)
"""The egress rule of the tests and the embedded demo: the sandbox upstream is on loopback."""
START = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)


@dataclass
class Upstream:
    sandbox: Sandbox
    clock: FrozenClock
    url: str
    tokens: TokenServer

    @property
    def api_url(self) -> str:
        return f"{self.url}/services/v2"


@pytest.fixture
def token_server() -> Iterator[TokenServer]:
    with TokenServer() as server:
        yield server


@pytest.fixture
def upstream(tmp_path: Path, token_server: TokenServer) -> Iterator[Upstream]:
    clock = FrozenClock(START)
    config = SandboxConfig(
        api_key=API_KEY,
        dcv_port=token_server.port,
        resolve=lambda host: "127.0.0.1",
        rng=random.Random(20260314),
    )
    app = create_sandbox_app(tmp_path / "sandbox", clock, config=config)
    with UvicornThread(app) as server:
        yield Upstream(app.state.sandbox, clock, server.url, token_server)


class Sleeps(list[float]):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def client(upstream: Upstream, sleeps: Sleeps) -> AsyncIterator[CertCentralClient]:
    async with CertCentralClient(
        API_KEY,
        upstream.api_url,
        timeout=5.0,
        retry=RetryPolicy(attempts=4, base_delay=0.5, max_delay=8.0),
        sleep=sleeps,
        rng=random.Random(1),
    ) as api:
        yield api


@pytest.fixture
async def shop(database, settings, upstream):
    """A tenant set up to buy from the sandbox (tests/plugins/digicert/shop.py)."""
    from tests.plugins.digicert.shop import forget_account, make_shop

    made = await make_shop(settings, upstream.clock, upstream.api_url)
    yield made
    await forget_account(made)
