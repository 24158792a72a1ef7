"""The embedded demo's shop publishes its 特定商取引法 notices from its first start."""

from __future__ import annotations

import pytest

from core.clock import FrozenClock
from core.context import tenant_scope
from tenants.branding import brand_for
from tenants.demo import DEMO_LEGAL, seed_demo_tenant
from tenants.resolution import resolve_host
from tests.tenants.helpers import START


@pytest.mark.usefixtures("database")
async def test_the_demo_shop_has_complete_legal_notices():
    await seed_demo_tenant(FrozenClock(START))
    tenant = await resolve_host("demo.shomei.example.jp", "shomei.example.jp")
    with tenant_scope(tenant):
        brand = await brand_for(tenant)
    assert brand.legal_complete and brand.legal == DEMO_LEGAL
