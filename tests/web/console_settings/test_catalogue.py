"""Products from the provider's catalogue (``Provider.products()`` of the DigiCert sandbox
contract), on sale or not, each term priced by a fixed price typed as people type yen or by a
markup over that term's wholesale price, and the payment methods a product accepts."""

from __future__ import annotations

import pytest

from core.catalog.wholesale import import_price_table
from core.context import Actor, ActorKind, Context, tenant_scope
from tenants.credentials import Keyring
from tenants.provider_accounts import save_account
from tenants.tables import ProviderAccount
from tests.plugins.digicert.shop import PRICE_CSV, forget_account, make_shop
from tests.web.browser import browser, browser_settings, make_app
from tests.web.console_settings.people import Sessions, make_team, post

FULL_WIDTH = "２２０００"  # noqa: RUF001 (as typed with a Japanese input method)
PERCENT = "２５％"  # noqa: RUF001
PAGE = "/console/products"
CATALOGUE = f"{PAGE}/catalogue"
EV_ROWS = (
    b"Basic EV,40000,0.0,33760,1,base,ssl_ev_basic\n"
    b"Basic EV,40000,0.0,58400,1,additional_fqdn,ssl_ev_basic\n"
    b"Basic EV,80000,0.0,60000,2,base,ssl_ev_basic\n"
    b"Basic EV,80000,0.0,100000,2,additional_fqdn,ssl_ev_basic\n"
)
BANK = {
    "bank_code": "0009", "bank_name": "三井住友銀行", "branch_code": "001",
    "branch_name": "本店営業部", "account_type": "1", "account_number": "1234567",
    "account_holder": "カ)サンプル",
}  # fmt: skip


@pytest.fixture
def settings(tmp_path, database):
    return browser_settings(tmp_path, database)


@pytest.fixture
def app(settings, upstream):
    return make_app(settings, clock=upstream.clock)


@pytest.fixture
async def team(settings, upstream):
    shop = await make_shop(settings, upstream.clock, upstream.api_url)
    operator = Context(shop.tenant, Actor(ActorKind.OPERATOR, "op-1", "Operator"), upstream.clock)
    keyring = Keyring.from_settings(settings)
    with tenant_scope(shop.tenant):
        account = await (
            ProviderAccount.select(ProviderAccount.id)
            .where(ProviderAccount.tenant == shop.tenant.id)
            .first()
        )
        end = upstream.clock.now().date().replace(year=2030)
        await import_price_table(operator, account["id"], end, PRICE_CSV + EV_ROWS)
        await save_account(shop.ctx, keyring, "payment", "bank_transfer", BANK)
        await save_account(shop.ctx, keyring, "payment", "wallet", {})
    yield await make_team(shop.tenant, shop.owner_id, upstream.clock)
    await forget_account(shop)


async def test_catalogue_terms_prices_and_methods(app, team):
    async with browser(app, team.host) as client:
        admin = await Sessions(client).as_(team, "admin")
        listed = await admin.get(CATALOGUE + "?lang=ja")
        assert listed.status_code == 200 and "ベーシックEV" in listed.text
        assert listed.text.count("カタログに追加") == 1  # ssl_basic is in the catalog already
        unknown = await post(admin, CATALOGUE, CATALOGUE, {"account": "1", "code": "nothing"})
        assert unknown.status_code == 400 and "提供されていません" in unknown.text
        account = listed.text.split('name="account" value="')[1].split('"')[0]
        added = await post(
            admin, CATALOGUE, CATALOGUE, {"account": account, "code": "ssl_ev_basic"}
        )
        assert added.status_code == 303
        detail = added.headers["location"].split("?")[0]
        page = await admin.get(detail + "?lang=en")
        assert "Not on sale" in page.text and "Basic EV" in page.text
        assert "Basic EV" not in (await client.get("/shop/?lang=en")).text

        refused = await post(admin, detail, f"{detail}/price?lang=en",
                             {"term_months": "12", "mode": "fixed", "base": "22.000,5",
                              "per_additional_fqdn": "1,0000"})  # fmt: skip
        assert refused.status_code == 400
        assert (
            'id="base-error"' in refused.text and 'id="per_additional_fqdn-error"' in refused.text
        )
        assert "Base price (one name): enter an amount in whole yen" in refused.text
        assert "Per additional FQDN: enter an amount" in refused.text
        assert 'value="22.000,5"' in refused.text
        fixed = await post(admin, detail, f"{detail}/price",
                           {"term_months": "12", "mode": "fixed", "base": "22,000",
                            "per_additional_fqdn": FULL_WIDTH, "per_wildcard": ""})  # fmt: skip
        assert fixed.status_code == 303
        much = {"term_months": "24", "mode": "markup", "markup": "much"}
        bad_markup = await post(admin, detail, f"{detail}/price", much)
        assert bad_markup.status_code == 400 and 'id="markup-error"' in bad_markup.text
        markup = await post(admin, detail, f"{detail}/price",
                            {"term_months": "24", "mode": "markup", "markup": PERCENT})  # fmt: skip
        assert markup.status_code == 303
        page = await admin.get(detail + "?lang=ja")
        twelve, twenty_four = (
            page.text.split('data-term="12"')[1],
            page.text.split('data-term="24"')[1],
        )
        assert "22,000円（追加 FQDN 1 件ごとに +22,000円" in twelve.split("</tr>")[0]  # noqa: RUF001
        # 24 months: that term's wholesale (60,000 / 100,000) plus 25 %, not the 12-month one
        assert "75,000円（追加 FQDN 1 件ごとに +125,000円" in twenty_four.split("</tr>")[0]  # noqa: RUF001
        assert "仕入価格に 25 % 上乗せ" in twenty_four.split("</tr>")[0]

        on = await post(admin, detail, f"{detail}/on-sale", {"enabled": "1"})
        assert on.status_code == 303
        shop = await client.get("/shop/?lang=ja")
        assert "ベーシックEV" in shop.text and "22,000円" in shop.text

        assert 'id="method-bank_transfer"' in page.text and 'id="method-wallet"' in page.text
        none = await post(admin, detail, f"{detail}/payment-methods", {"scope": "some"})
        assert none.status_code == 400 and 'id="payment_methods-error"' in none.text
        narrowed = await post(admin, detail, f"{detail}/payment-methods",
                              {"scope": "some", "methods": "bank_transfer"})  # fmt: skip
        assert narrowed.status_code == 303
        page = await admin.get(detail + "?lang=en")
        assert 'id="method-bank_transfer" name="methods" value="bank_transfer" checked' in page.text
        assert 'id="method-wallet" name="methods" value="wallet">' in page.text
        assert 'id="scope-some" name="scope" value="some" checked' in page.text

        off = await post(admin, detail, f"{detail}/on-sale", {"enabled": "0"})
        assert off.status_code == 303
        assert "ベーシックEV" not in (await client.get("/shop/?lang=ja")).text
        for role in ("finance", "support", "read_only"):
            viewer = await Sessions(client).as_(team, role)
            assert (await viewer.get(CATALOGUE)).status_code == 403
