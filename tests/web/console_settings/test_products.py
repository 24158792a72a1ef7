"""Products and retail prices: the list, the markup rule, an explicit price, refusals naming
the field, roles and another tenant's product ids."""

from __future__ import annotations

import pytest

from core.catalog.products import get_product
from core.catalog.retail import MarkupKind, get_markup, resolve_price
from core.clock import FrozenClock
from core.context import tenant_scope
from tests.core.orders.helpers import priced_product
from tests.tenants.helpers import staff_context
from tests.web.browser import START, browser, browser_settings, make_app, make_shop
from tests.web.console_settings.people import Sessions, make_team, post

PAGE = "/console/products"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def app(tmp_path, database, clock):
    return make_app(browser_settings(tmp_path, database), clock=clock)


@pytest.fixture
async def teams(clock):
    shops = [await make_shop(clock), await make_shop(clock)]
    return [await make_team(s.tenant, s.owner_id, clock) for s in shops]


async def test_markup_and_explicit_price(app, teams, clock):
    a, b = teams
    ctx = staff_context(a.tenant, a.owner_id, clock)
    with tenant_scope(a.tenant):
        product_id = await priced_product(ctx, 10_000, code="ssl-ov-page", per_additional_fqdn=500)
    async with browser(app, a.host) as client:
        sessions = Sessions(client)
        admin = await sessions.as_(a, "admin")
        ja = await admin.get(PAGE + "?lang=ja")
        assert ja.status_code == 200 and "上乗せルール" in ja.text and "ssl-ov-page" in ja.text
        en = await admin.get(PAGE + "?lang=en")
        assert "Markup rule" in en.text
        bad = await post(admin, PAGE, f"{PAGE}/markup",
                         {"kind": "percent", "value": "abc", "round_to": "10"})  # fmt: skip
        assert bad.status_code == 400 and 'id="value-error"' in bad.text
        saved = await post(admin, PAGE, f"{PAGE}/markup",
                           {"kind": "percent", "value": "12.5", "round_to": "10"})  # fmt: skip
        assert saved.status_code == 303
        detail = f"{PAGE}/{product_id}"
        page = await admin.get(detail + "?lang=ja")
        assert "10,000円" in page.text and "12か月" in page.text
        refused = await post(admin, detail, f"{detail}/price",
                             {"term_months": "12", "base": "-5", "per_additional_fqdn": "0",
                              "per_wildcard": "0"})  # fmt: skip
        assert refused.status_code == 400 and 'id="base-error"' in refused.text
        assert 'value="-5"' in refused.text
        unoffered = await post(admin, detail, f"{detail}/price",
                               {"term_months": "36", "base": "1000"})  # fmt: skip
        assert unoffered.status_code == 400 and "36" in unoffered.text
        ok = await post(admin, detail, f"{detail}/price",
                        {"term_months": "12", "base": "12000", "per_additional_fqdn": "600",
                         "per_wildcard": "0"})  # fmt: skip
        assert ok.status_code == 303
        for role in ("finance", "support", "read_only"):
            assert (await (await sessions.as_(a, role)).get(PAGE)).status_code == 403
        intruder = await sessions.as_(b, "owner")
        assert (await intruder.get(detail)).status_code == 404
        foreign = await post(intruder, PAGE, f"{detail}/price", {"term_months": "12", "base": "1"})
        assert foreign.status_code == 404
        assert "ssl-ov-page" not in (await intruder.get(PAGE)).text
    with tenant_scope(a.tenant):
        markup = await get_markup(ctx)
        price = await resolve_price(ctx, await get_product(ctx, product_id), 12)
    assert markup is not None and (markup.kind, markup.value, markup.round_to) == (
        MarkupKind.PERCENT, 1250, 10,
    )  # fmt: skip
    assert (price.base, price.per_additional_fqdn) == (12_000, 600)
