"""Fixtures of the console tests: the app on a frozen clock, tenants A (with one object of each
kind) and B, and one browser signing their staff in."""

from __future__ import annotations

import pytest

from core.clock import FrozenClock
from tests.web.browser import START, browser_settings, make_app
from tests.web.console.world import Tenant, make_tenant


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def app(tmp_path, database, clock):
    return make_app(browser_settings(tmp_path, database), clock=clock)


@pytest.fixture
async def tenants(clock) -> tuple[Tenant, Tenant]:
    return await make_tenant(clock), await make_tenant(clock)
