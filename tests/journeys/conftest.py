"""Fixtures of the journey tests: a whole install per test module, a browser page per test.

Each journey runs in both languages and on both databases, paired to keep CI's budget:
Japanese on SQLite and English on PostgreSQL (with one backend selected by
``SHOMEI_TEST_BACKENDS``, that backend runs both). ``SHOMEI_JOURNEY_MATRIX=full`` runs every
language on every backend (``bench/journeys.sh``).

- ``journey_case`` (module): ``(backend, language)``.
- ``stack`` (module): ``tests.journeys.stack.Stack`` on a fresh, empty database of that
  backend; started once per module and case, stopped at the end.
- ``lang``: the case's language; ``page``: a chromium page whose browser speaks it;
  ``shot(name)``: a full-page screenshot under ``test-output/<test>/``.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page

from tests.browser.conftest import chromium  # noqa: F401  (a fixture used here)
from tests.conftest import BACKENDS
from tests.journeys.stack import Stack, drop_database, empty_database, running_stack
from tests.plugins.card.conftest import localstripe  # noqa: F401  (a fixture used here)

LANGUAGES = ("ja", "en")
BROWSER_LOCALES = {"ja": "ja-JP", "en": "en-US"}


def journey_cases() -> list[tuple[str, str]]:
    if os.environ.get("SHOMEI_JOURNEY_MATRIX") == "full" or len(BACKENDS) == 1:
        return list(itertools.product(BACKENDS, LANGUAGES))
    return list(zip(BACKENDS, LANGUAGES, strict=False))


@pytest.fixture(scope="module", params=journey_cases(), ids=lambda case: "-".join(case))
def journey_case(request: pytest.FixtureRequest) -> tuple[str, str]:
    return request.param


@pytest.fixture(scope="module")
async def stack(
    journey_case: tuple[str, str],
    tmp_path_factory: pytest.TempPathFactory,
    localstripe: str,  # noqa: F811
) -> AsyncIterator[Stack]:
    folder = tmp_path_factory.mktemp(f"journey-{journey_case[0]}")
    database = await empty_database(journey_case[0], folder)
    try:
        with running_stack(database, folder, localstripe) as started:
            yield started
    finally:
        await drop_database(database)


@pytest.fixture
def lang(journey_case: tuple[str, str]) -> str:
    return journey_case[1]


@pytest.fixture
async def page(chromium: Browser, lang: str) -> AsyncIterator[Page]:  # noqa: F811
    context = await chromium.new_context(
        locale=BROWSER_LOCALES[lang], viewport={"width": 1100, "height": 900}
    )
    context.set_default_timeout(20_000)
    opened = await context.new_page()
    try:
        yield opened
    finally:
        await context.close()


@pytest.fixture
def shot(page: Page, output_dir: Path) -> Iterator[Callable[[str], Awaitable[Path]]]:
    """``await shot("name")``: the whole page as ``test-output/<test>/<name>.png``."""

    async def take(name: str) -> Path:
        path = output_dir / f"{name}.png"
        await page.screenshot(path=str(path), full_page=True)
        return path

    yield take
