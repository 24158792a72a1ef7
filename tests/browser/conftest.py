"""Browser tests: a real web process on loopback, driven by Debian's chromium through Playwright.

- ``live_server``: ``python -m tests.browser.server`` (``create_app`` under uvicorn, as
  ``shomei serve`` runs it) on a free loopback port against the session database of
  ``tests/conftest.py`` (SQLite and PostgreSQL). Its public URL is ``http://shomei.test:<port>``,
  so a tenant's pages are at ``http://<slug>.shomei.test:<port>``.
- ``card_server``: the same with the card plugin talking to the session's localstripe.
- ``chromium``: one headless ``/usr/bin/chromium`` per session (``executable_path``; Playwright's
  own browser builds are never downloaded). ``--host-resolver-rules`` maps ``shomei.test`` and
  every ``*.shomei.test`` to 127.0.0.1, so the Host header carries the tenant's host name.
- ``page``: a fresh browser context and page per test (Japanese browser locale).
- ``screenshot(name)``: saves the page as ``test-output/<test name>/<name>.png``.
"""

from __future__ import annotations

import subprocess
import sys
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright

from core.settings import Settings
from tests.conftest import make_settings
from tests.plugins.card.conftest import localstripe  # noqa: F401  (a fixture used here)
from tests.processes import ROOT, free_port, shomei_env, stop, wait_for

CHROMIUM = "/usr/bin/chromium"
BASE = "shomei.test"
RESOLVER_RULES = f"MAP *.{BASE} 127.0.0.1, MAP {BASE} 127.0.0.1"


@dataclass(frozen=True)
class LiveServer:
    """A running web process: its port, settings and the address of a host's page."""

    port: int
    settings: Settings
    log: Path

    def url(self, host: str, path: str = "/") -> str:
        return f"http://{host}:{self.port}{path}"

    def tenant_url(self, slug: str, path: str = "/") -> str:
        return self.url(f"{slug}.{BASE}", path)


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as answer:
            return answer.status == 200
    except OSError:
        return False


@pytest.fixture
def start_server(database, tmp_path: Path) -> Iterator[Callable[..., LiveServer]]:
    """Start ``tests.browser.server`` processes that are always stopped at teardown."""
    started: list[subprocess.Popen[bytes]] = []

    def start(stripe_api: str = "") -> LiveServer:
        port = free_port()
        settings = make_settings(tmp_path / "var", database, public_url=f"http://{BASE}:{port}")
        env = shomei_env(settings, SHOMEI_PUBLIC_URL=settings.public_url, SHOMEI_PORT=str(port))
        log = tmp_path / f"server-{port}.log"
        args = [sys.executable, "-m", "tests.browser.server", "--port", str(port)]
        if stripe_api:
            args += ["--stripe-api", stripe_api]
        with log.open("wb") as handle:
            process = subprocess.Popen(
                args,
                cwd=ROOT,
                env=env,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        started.append(process)
        wait_for(lambda: _answers(port), 60, "the web process to answer /health", log)
        return LiveServer(port, settings, log)

    yield start
    for process in started:
        stop(process)


@pytest.fixture
def live_server(start_server: Callable[..., LiveServer]) -> LiveServer:
    return start_server()


@pytest.fixture
def card_server(start_server: Callable[..., LiveServer], localstripe: str) -> LiveServer:  # noqa: F811
    return start_server(stripe_api=localstripe)


@pytest.fixture(scope="session")
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[f"--host-resolver-rules={RESOLVER_RULES}"],
        )
        try:
            yield browser
        finally:
            await browser.close()


@pytest.fixture
async def page(chromium: Browser) -> AsyncIterator[Page]:
    context = await chromium.new_context(locale="ja-JP", viewport={"width": 1100, "height": 900})
    context.set_default_timeout(15_000)
    opened = await context.new_page()
    try:
        yield opened
    finally:
        await context.close()


@pytest.fixture
def screenshot(page: Page, output_dir: Path) -> Callable[[str], Awaitable[Path]]:
    """``await screenshot("name")`` saves the whole page as ``test-output/<test>/name.png``."""

    async def take(name: str) -> Path:
        path = output_dir / f"{name}.png"
        await page.screenshot(path=str(path), full_page=True)
        return path

    return take
